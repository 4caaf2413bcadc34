//! The Security Score Dashboard's pages, components and server functions.
//!
//! The `ssr` feature builds the server side (server functions call
//! `backend`); the `hydrate` feature builds the browser side, which never
//! compiles `backend`.

pub mod auth;
pub mod components;
pub mod error;
pub mod format;
#[cfg(feature = "ssr")]
pub mod http;
pub mod pages;
pub mod server_fns;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::components::layout::{DemoBanner, TopBar};
use crate::pages::{
    AlertsPage, AuditPage, BenchmarksPage, CategoriesPage, ClientReportPage, ComplianceMappingPage, CompliancePage, LoginPage, NotFoundPage, PortfolioPage, RecommendationsPage, TenantPage, TenantsPage,
    TokensPage, TrendsPage, UsersPage,
};

/// Name of the product, used in the top bar and page titles.
pub const PRODUCT_NAME: &str = "Security Score Dashboard";

/// Renders the whole HTML document around [`App`] on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                // Charts: the bundled echarts (public/vendor/, copied by
                // scripts/setup.sh) and the script that draws `data-chart` elements.
                <script src="/vendor/echarts.min.js" defer></script>
                <script src="/charts.js" defer></script>
                <link rel="stylesheet" id="leptos" href="/pkg/trust-center.css"/>
                // Served from public/, so browsers do not request /favicon.ico.
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Renders the router with every page. Routes use [`SsrMode::Async`], so
/// the first HTML response already contains the data and the main numbers
/// are readable without JavaScript.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Title formatter=|page: String| {
            if page.is_empty() { PRODUCT_NAME.to_owned() } else { format!("{page} · {PRODUCT_NAME}") }
        }/>
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <TopBar/>
            <DemoBanner/>
            <main id="main" class="page" tabindex="-1">
                <Routes fallback=|| view! { <NotFoundPage/> }>
                    <Route path=path!("/") view=PortfolioPage ssr=SsrMode::Async/>
                    <Route path=path!("/tenants") view=TenantsPage ssr=SsrMode::Async/>
                    <Route path=path!("/tenants/:tenant_id") view=TenantPage ssr=SsrMode::Async/>
                    <Route path=path!("/categories") view=CategoriesPage ssr=SsrMode::Async/>
                    <Route path=path!("/trends") view=TrendsPage ssr=SsrMode::Async/>
                    <Route path=path!("/benchmarks") view=BenchmarksPage ssr=SsrMode::Async/>
                    <Route path=path!("/recommendations") view=RecommendationsPage ssr=SsrMode::Async/>
                    <Route path=path!("/alerts") view=AlertsPage ssr=SsrMode::Async/>
                    <Route path=path!("/compliance") view=CompliancePage ssr=SsrMode::Async/>
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/client/:token") view=ClientReportPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users") view=UsersPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/tokens") view=TokensPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/audit") view=AuditPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/compliance") view=ComplianceMappingPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}
