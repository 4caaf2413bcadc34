//! Portfolio overview (`/`): the figures across all managed tenants, the
//! newest sync run and the "Refresh now" button.

mod refresh;
mod summary;

use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::feedback::{ErrorPanel, Loading};
use crate::components::sync_run::SyncRunPanel;
use crate::server_fns::{get_portfolio, get_sync_status, RefreshNow};
use refresh::{poll_while_sync_runs, RefreshControl};
use summary::PortfolioSummaryView;

#[component]
pub fn PortfolioPage() -> impl IntoView {
    let refresh = ServerAction::<RefreshNow>::new();
    let sync_poll = RwSignal::new(0_u32);
    let finished_runs = RwSignal::new(0_u32);

    // Both resources are created on the server and in the browser with the
    // same sources, so hydration finds the serialized values.
    let portfolio = Resource::new(
        move || (refresh.version().get(), finished_runs.get()),
        |_| get_portfolio(),
    );
    let sync_status = Resource::new(
        move || (refresh.version().get(), sync_poll.get()),
        |_| get_sync_status(),
    );
    poll_while_sync_runs(sync_status, sync_poll, finished_runs);

    view! {
        <Title text="Portfolio"/>
        <div class="page-header">
            <div>
                <h1>"Portfolio overview"</h1>
                <p class="muted">"Microsoft Secure Score across all managed tenants"</p>
            </div>
        </div>

        <section class="panel sync-panel" aria-labelledby="sync-heading">
            <div class="sync-panel-status">
                <h2 id="sync-heading">"Last sync run"</h2>
                <div data-test="sync-status">
                    <Transition fallback=|| view! { <Loading label="Loading the sync status…"/> }>
                        {move || Suspend::new(async move {
                            match sync_status.await {
                                Ok(run) => Either::Left(view! { <SyncRunPanel run/> }),
                                Err(error) => Either::Right(view! { <ErrorPanel error/> }),
                            }
                        })}
                    </Transition>
                </div>
            </div>
            <RefreshControl action=refresh/>
        </section>

        <Transition fallback=|| view! { <Loading label="Loading the portfolio…"/> }>
            {move || Suspend::new(async move {
                match portfolio.await {
                    Ok(summary) => Either::Left(view! { <PortfolioSummaryView summary/> }),
                    Err(error) => Either::Right(view! { <ErrorPanel error/> }),
                }
            })}
        </Transition>
    }
}
