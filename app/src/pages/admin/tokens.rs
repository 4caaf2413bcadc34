//! `/admin/tokens`: create, list and revoke API tokens.

use domain::access::{TokenInfo, TokenScope};
use leptos::prelude::*;
use leptos_meta::Title;

use super::{time_or_never, AdminNav};
use crate::components::feedback::{ErrorPanel, Loading};
use crate::format;
use crate::server_fns::admin::{list_tokens, take_new_token, CreateToken, RevokeToken};

#[component]
pub fn TokensPage() -> impl IntoView {
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let tokens = Resource::new(move || (create.version().get(), revoke.version().get()), |_| list_tokens());
    // A token created by a plain form post reaches the page through a
    // one-time cookie. With JavaScript it comes back from the action.
    let flashed = Resource::new(|| (), |_| take_new_token());

    view! {
        <Title text="API tokens"/>
        <div class="page-header">
            <div>
                <h1>"API tokens"</h1>
                <p class="muted">"Tokens let scripts call the REST API with 'Authorization: Bearer <token>'."</p>
            </div>
        </div>
        <AdminNav/>
        <Transition fallback=|| view! { <Loading label="Loading the tokens…"/> }>
            {move || Suspend::new(async move {
                match tokens.await {
                    Ok(tokens) => {
                        let flashed = flashed.await.ok().flatten();
                        view! { <TokensView tokens flashed create revoke/> }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn TokensView(
    tokens: Vec<TokenInfo>,
    flashed: Option<String>,
    create: ServerAction<CreateToken>,
    revoke: ServerAction<RevokeToken>,
) -> impl IntoView {
    let new_token = move || match create.value().get() {
        Some(Ok(created)) => Some(created.token),
        _ => flashed.clone(),
    };
    let create_error = move || create.value().get().and_then(Result::err).map(|error| error.to_string());
    let revoke_error = move || revoke.value().get().and_then(Result::err).map(|error| error.to_string());
    let scope_options = TokenScope::ALL
        .into_iter()
        .map(|scope| view! { <option value=scope.as_str()>{scope.label()}</option> })
        .collect_view();
    let rows = tokens.into_iter().map(|token| view! { <TokenRow token revoke/> }).collect_view();

    view! {
        <section class="panel" aria-labelledby="new-token-heading">
            <h2 id="new-token-heading">"New token"</h2>
            <ActionForm action=create attr:class="inline-form">
                <label>
                    "Name"
                    <input type="text" name="name" required maxlength="100" placeholder="psa-export" data-test="token-name"/>
                </label>
                <label>
                    "Scope"
                    <select name="scope" data-test="token-scope">{scope_options}</select>
                </label>
                <button type="submit" class="button button-primary" data-test="create-token">"Create token"</button>
            </ActionForm>
            <p class="form-message error-text" role="alert">{create_error}</p>
            {move || new_token().map(|token| view! {
                <div class="secret-box" role="status">
                    <p><strong>"New token:"</strong>" copy it now, it is not shown again."</p>
                    <input
                        type="text"
                        readonly
                        class="secret-value"
                        value=token
                        aria-label="New API token"
                        data-test="new-token-value"
                    />
                </div>
            })}
        </section>
        <section class="panel panel-flush" aria-labelledby="tokens-heading">
            <h2 id="tokens-heading" class="panel-title">"Tokens"</h2>
            <p class="form-message error-text" role="alert">{revoke_error}</p>
            <div class="table-scroll">
                <table class="data-table">
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Scope"</th>
                            <th scope="col">"Prefix"</th>
                            <th scope="col">"Created"</th>
                            <th scope="col">"Last used"</th>
                            <th scope="col">"Revoked"</th>
                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn TokenRow(token: TokenInfo, revoke: ServerAction<RevokeToken>) -> impl IntoView {
    let created = match &token.created_by {
        Some(by) => format!("{} by {by}", format::date_time(token.created_at)),
        None => format::date_time(token.created_at),
    };
    let active = token.revoked_at.is_none();

    view! {
        <tr data-test="token-row" data-token-id=token.id>
            <th scope="row">{token.name.clone()}</th>
            <td>{token.scope.label()}</td>
            <td><code>{token.prefix.clone()}"…"</code></td>
            <td>{created}</td>
            <td>{time_or_never(token.last_used_at)}</td>
            <td>{token.revoked_at.map(format::date_time).unwrap_or_else(|| format::MISSING.to_owned())}</td>
            <td>
                {active.then(|| view! {
                    <ActionForm action=revoke attr:class="row-form">
                        <input type="hidden" name="id" value=token.id/>
                        <button type="submit" class="button button-danger" data-test="revoke-token">"Revoke"</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}
