//! The tenant page's panel for read-only client links: create one, see the
//! new URL once, list and revoke links. Shown to analysts and admins only.

use domain::access::LinkInfo;
use leptos::prelude::*;

use crate::format;
use crate::server_fns::client_links::{
    get_client_links_panel, CreateClientLink, RevokeClientLink, DEFAULT_LINK_DAYS, MAX_LINK_DAYS,
};

#[component]
pub fn ClientLinksPanel(tenant_id: String) -> impl IntoView {
    let create = ServerAction::<CreateClientLink>::new();
    let revoke = ServerAction::<RevokeClientLink>::new();
    let panel = {
        let tenant_id = tenant_id.clone();
        Resource::new(
            move || (create.version().get(), revoke.version().get()),
            move |_| get_client_links_panel(tenant_id.clone()),
        )
    };

    view! {
        <Transition fallback=|| ()>
            {move || {
                let tenant_id = tenant_id.clone();
                Suspend::new(async move {
                    match panel.await {
                        // A link created by a plain form post arrives as
                        // `new_link_url`. With JavaScript it comes back from
                        // the action instead.
                        Ok(Some(data)) => Some(view! {
                            <LinksPanel tenant_id links=data.links flashed=data.new_link_url create revoke/>
                        }.into_any()),
                        // Viewers may not manage links, so they see no panel.
                        Ok(None) => None,
                        Err(error) => Some(view! {
                            <section class="panel panel-error" role="alert">
                                <h2>"Client links"</h2>
                                <p>{error.to_string()}</p>
                            </section>
                        }.into_any()),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
fn LinksPanel(
    tenant_id: String,
    links: Vec<LinkInfo>,
    flashed: Option<String>,
    create: ServerAction<CreateClientLink>,
    revoke: ServerAction<RevokeClientLink>,
) -> impl IntoView {
    let new_url = move || match create.value().get() {
        Some(Ok(created)) => Some(created.url),
        _ => flashed.clone(),
    };
    let create_error = move || create.value().get().and_then(Result::err).map(|error| error.to_string());
    let revoke_error = move || revoke.value().get().and_then(Result::err).map(|error| error.to_string());
    let rows = links
        .into_iter()
        .map(|link| view! { <LinkRow link tenant_id=tenant_id.clone() revoke/> })
        .collect_view();

    view! {
        <section class="panel" aria-labelledby="client-links-heading" data-test="client-links">
            <h2 id="client-links-heading">"Client links"</h2>
            <p class="muted">
                "A client link opens a read-only report of this tenant without signing in. Anyone with the link can open it until it expires or is revoked."
            </p>
            <ActionForm action=create attr:class="inline-form">
                <input type="hidden" name="tenant_id" value=tenant_id.clone()/>
                <label>
                    "Valid for (days)"
                    <input
                        type="number"
                        name="days"
                        min="1"
                        max=MAX_LINK_DAYS
                        value=DEFAULT_LINK_DAYS
                        required
                        data-test="link-days"
                    />
                </label>
                <button type="submit" class="button button-primary" data-test="create-link">
                    "Create link"
                </button>
            </ActionForm>
            <p class="form-message error-text" role="alert">{create_error}</p>
            {move || new_url().map(|url| view! {
                <div class="secret-box" role="status">
                    <p>
                        <strong>"New link:"</strong>
                        " copy it now and send it to the client. It is not shown again."
                    </p>
                    <input
                        type="text"
                        readonly
                        class="secret-value"
                        value=url
                        aria-label="New client link"
                        data-test="new-link-url"
                    />
                </div>
            })}
            <p class="form-message error-text" role="alert">{revoke_error}</p>
            <div class="table-scroll">
                <table class="data-table">
                    <thead>
                        <tr>
                            <th scope="col">"Created"</th>
                            <th scope="col">"Expires"</th>
                            <th scope="col">"Last used"</th>
                            <th scope="col">"Status"</th>
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
fn LinkRow(link: LinkInfo, tenant_id: String, revoke: ServerAction<RevokeClientLink>) -> impl IntoView {
    let now = chrono::Utc::now();
    let status = match link.revoked_at {
        Some(at) => format!("Revoked {}", format::date_time(at)),
        None if link.expires_at <= now => "Expired".to_owned(),
        None => "Active".to_owned(),
    };
    let active = link.revoked_at.is_none() && link.expires_at > now;
    let created_by = link.created_by.clone().unwrap_or_default();

    view! {
        <tr data-test="link-row" data-link-id=link.id>
            <td title=created_by>{format::date_time(link.created_at)}</td>
            <td>{format::date_time(link.expires_at)}</td>
            <td>{link.last_used_at.map(format::date_time).unwrap_or_else(|| "Never".to_owned())}</td>
            <td>{status}</td>
            <td>
                {active.then(|| view! {
                    <ActionForm action=revoke attr:class="row-form">
                        <input type="hidden" name="id" value=link.id/>
                        <input type="hidden" name="tenant_id" value=tenant_id.clone()/>
                        <button type="submit" class="button button-danger" data-test="revoke-link">"Revoke"</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}
