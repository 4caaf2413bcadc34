//! `/admin/compliance`: the MSP's changes to the shipped compliance
//! mapping. They are stored in the database, apart from the shipped file,
//! so an upgrade that brings a new mapping keeps them.

use domain::compliance::{EffectiveMapping, Framework, MappingOverride, OverrideKind};
use leptos::prelude::*;
use leptos_meta::Title;

use super::AdminNav;
use crate::components::feedback::{ErrorPanel, Loading};
use crate::server_fns::compliance::{get_compliance_mapping, DeleteComplianceOverride, SetComplianceOverride};

#[component]
pub fn ComplianceMappingPage() -> impl IntoView {
    let set = ServerAction::<SetComplianceOverride>::new();
    let delete = ServerAction::<DeleteComplianceOverride>::new();
    let mapping = Resource::new(move || (set.version().get(), delete.version().get()), |_| get_compliance_mapping());

    view! {
        <Title text="Compliance mapping"/>
        <div class="page-header">
            <div>
                <h1>"Compliance mapping"</h1>
                <p class="muted">"Add framework controls to a Secure Score action, or remove shipped ones. Your changes apply on top of the mapping shipped with the product and survive upgrades."</p>
            </div>
        </div>
        <AdminNav/>
        <Transition fallback=|| view! { <Loading label="Loading the mapping…"/> }>
            {move || Suspend::new(async move {
                match mapping.await {
                    Ok(mapping) => view! { <MappingView mapping set delete/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn MappingView(mapping: EffectiveMapping, set: ServerAction<SetComplianceOverride>, delete: ServerAction<DeleteComplianceOverride>) -> impl IntoView {
    let EffectiveMapping { shipped_version, overrides, entries } = mapping;
    let set_error = move || set.value().get().and_then(Result::err).map(|error| error.to_string());
    let delete_error = move || delete.value().get().and_then(Result::err).map(|error| error.to_string());
    let framework_options = Framework::ALL
        .into_iter()
        .map(|f| view! { <option value=f.as_str()>{f.label()}</option> })
        .collect_view();
    let override_count = overrides.len();
    let override_rows = overrides.into_iter().map(|change| view! { <OverrideRow change delete/> }).collect_view();
    let entry_count = entries.len();
    let entry_rows = entries
        .into_iter()
        .map(|entry| {
            let controls = entry
                .controls
                .into_iter()
                .map(|c| {
                    let label = Framework::parse(&c.framework).map_or(c.framework.clone(), |f| f.label().to_owned());
                    view! { <li><span class="muted">{label}": "</span><a href=c.source rel="noopener noreferrer">{c.control}</a></li> }
                })
                .collect_view();
            view! {
                <tr data-test="mapping-entry" data-control-id=entry.control_id.clone()>
                    <th scope="row"><code>{entry.control_id.clone()}</code></th>
                    <td><ul class="lost-controls">{controls}</ul></td>
                </tr>
            }
        })
        .collect_view();

    view! {
        <section class="panel" aria-labelledby="new-override-heading">
            <h2 id="new-override-heading">"Change the mapping"</h2>
            <ActionForm action=set attr:class="stacked-form" attr:data-test="override-form">
                <label>
                    "Secure Score control id"
                    <input type="text" name="control_id" required maxlength="200" placeholder="AdminMFAV2" data-test="override-control-id"/>
                </label>
                <label>
                    "Framework"
                    <select name="framework" data-test="override-framework">{framework_options}</select>
                </label>
                <label>
                    "Framework control"
                    <input type="text" name="control" required maxlength="100" placeholder="CC6.1, 164.312(d), IA.L2-3.5.3, A.8.5" data-test="override-control"/>
                </label>
                <label>
                    "Source (https URL of the document that defines the control; needed to add)"
                    <input type="url" name="source" maxlength="500" placeholder="https://" data-test="override-source"/>
                </label>
                <label>
                    "Change"
                    <select name="kind" data-test="override-kind">
                        <option value="add" selected>"Add this control to the action"</option>
                        <option value="remove">"Remove this shipped control from the action"</option>
                    </select>
                </label>
                <button type="submit" class="button button-primary" data-test="save-override">"Save"</button>
            </ActionForm>
            <p class="form-message error-text" role="alert">{set_error}</p>
        </section>
        <section class="panel panel-flush" aria-labelledby="overrides-heading">
            <h2 id="overrides-heading" class="panel-title">{format!("Your changes ({override_count})")}</h2>
            <p class="form-message error-text" role="alert">{delete_error}</p>
            {(override_count == 0).then(|| view! { <p class="panel-body muted">"No changes: the shipped mapping applies as it is."</p> })}
            <div class="table-scroll">
                <table class="data-table" data-test="overrides-table">
                    <thead>
                        <tr>
                            <th scope="col">"Secure Score control id"</th>
                            <th scope="col">"Framework"</th>
                            <th scope="col">"Control"</th>
                            <th scope="col">"Change"</th>
                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>{override_rows}</tbody>
                </table>
            </div>
        </section>
        <section class="panel panel-flush" aria-labelledby="entries-heading">
            <h2 id="entries-heading" class="panel-title">{format!("Mapping in force ({entry_count} actions, shipped version {shipped_version})")}</h2>
            <div class="table-scroll">
                <table class="data-table">
                    <thead>
                        <tr>
                            <th scope="col">"Secure Score control id"</th>
                            <th scope="col">"Framework controls"</th>
                        </tr>
                    </thead>
                    <tbody>{entry_rows}</tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn OverrideRow(change: MappingOverride, delete: ServerAction<DeleteComplianceOverride>) -> impl IntoView {
    let label = Framework::parse(&change.framework).map_or(change.framework.clone(), |f| f.label().to_owned());
    let kind = match change.kind {
        OverrideKind::Add => "Added",
        OverrideKind::Remove => "Removed",
    };
    view! {
        <tr data-test="override-row">
            <th scope="row"><code>{change.control_id.clone()}</code></th>
            <td>{label}</td>
            <td>{change.control.clone()}</td>
            <td>{kind}</td>
            <td>
                <ActionForm action=delete attr:class="row-form">
                    <input type="hidden" name="control_id" value=change.control_id/>
                    <input type="hidden" name="framework" value=change.framework/>
                    <input type="hidden" name="control" value=change.control/>
                    <button type="submit" class="button button-danger" data-test="delete-override">"Undo"</button>
                </ActionForm>
            </td>
        </tr>
    }
}
