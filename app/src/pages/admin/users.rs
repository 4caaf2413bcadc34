//! `/admin/users`: list staff accounts and add new ones.

use domain::access::{Role, UserInfo};
use leptos::prelude::*;
use leptos_meta::Title;

use super::{time_or_never, AdminNav};
use crate::components::feedback::{ErrorPanel, Loading};
use crate::format;
use crate::server_fns::admin::{list_users, CreateUser};

#[component]
pub fn UsersPage() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let users = Resource::new(move || create.version().get(), |_| list_users());

    view! {
        <Title text="Users"/>
        <div class="page-header">
            <div>
                <h1>"Users"</h1>
                <p class="muted">"Staff accounts that sign in to the dashboard."</p>
            </div>
        </div>
        <AdminNav/>
        <Transition fallback=|| view! { <Loading label="Loading the users…"/> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(users) => {
                        let rows = users.into_iter().map(|user| view! { <UserRow user/> }).collect_view();
                        // The form shows only to callers that may list users (admins).
                        view! {
                            <UsersTable rows/>
                            <NewUserForm create/>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Renders the form that adds an account.
#[component]
fn NewUserForm(create: ServerAction<CreateUser>) -> impl IntoView {
    let create_message = move || match create.value().get() {
        Some(Ok(user)) => Some((format!("Added {} as {}.", user.email, user.role.label()), false)),
        Some(Err(error)) => Some((error.to_string(), true)),
        None => None,
    };
    let role_options = Role::ALL
        .into_iter()
        .map(|role| view! { <option value=role.as_str() selected=role == Role::Viewer>{role.label()}</option> })
        .collect_view();

    view! {
        <section class="panel" aria-labelledby="new-user-heading">
            <h2 id="new-user-heading">"Add a user"</h2>
            <ActionForm action=create attr:class="inline-form">
                <label>"Email"<input type="email" name="email" required autocomplete="off"/></label>
                <label>"Role"<select name="role">{role_options}</select></label>
                <label>
                    "Password (at least 12 characters)"
                    <input type="password" name="password" required minlength="12" autocomplete="new-password"/>
                </label>
                <button type="submit" class="button button-primary" data-test="create-user">"Add user"</button>
            </ActionForm>
            <p class="form-message" role="status">
                {move || create_message().map(|(text, is_error)| view! { <span class:error-text=is_error>{text}</span> })}
            </p>
        </section>
    }
}

#[component]
fn UsersTable<R: IntoView + 'static>(rows: R) -> impl IntoView {
    view! {
        <section class="panel panel-flush" aria-labelledby="users-heading">
            <h2 id="users-heading" class="panel-title">"Accounts"</h2>
            <div class="table-scroll">
                <table class="data-table">
                    <thead>
                        <tr>
                            <th scope="col">"Email"</th>
                            <th scope="col">"Role"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Created"</th>
                            <th scope="col">"Last sign-in"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn UserRow(user: UserInfo) -> impl IntoView {
    view! {
        <tr data-test="user-row" data-user-id=user.id>
            <th scope="row">{user.email.clone()}</th>
            <td>{user.role.label()}</td>
            <td>{if user.disabled { "Disabled" } else { "Active" }}</td>
            <td>{format::date_time(user.created_at)}</td>
            <td>{time_or_never(user.last_login_at)}</td>
        </tr>
    }
}
