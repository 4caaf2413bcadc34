//! The view for a URL that matches no route.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::feedback::NotFoundNotice;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(leptos::server_fn::http_export::StatusCode::NOT_FOUND);
    }

    view! {
        <Title text="Page not found"/>
        <NotFoundNotice
            title="Page not found"
            message="There is no page at this address."
            back_href="/"
            back_label="Go to the portfolio overview"
        />
    }
}
