//! Loading, error and not-found views.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::error::AppError;

#[component]
pub fn Loading(#[prop(into)] label: String) -> impl IntoView {
    view! { <p class="loading" role="status">{label}</p> }
}

/// Renders an error from a server function.
#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    let title = match &error {
        AppError::NotFound(_) => "Not found",
        AppError::BadRequest(_) => "Invalid request",
        AppError::Conflict(_) => "Request conflicts with the current state",
        AppError::Unauthorized(_) => "Not signed in",
        AppError::Forbidden(_) => "Access denied",
        AppError::TooManyRequests(_) => "Too many attempts",
        AppError::Internal(_) => "The server could not load this page",
        AppError::Transport(_) => "The server could not be reached",
    };
    view! {
        <section class="panel panel-error" role="alert">
            <h2>{title}</h2>
            <p>{error.to_string()}</p>
            {matches!(error, AppError::Unauthorized(_)).then(|| view! {
                <p><a href="/login" rel="external">"Sign in"</a></p>
            })}
        </section>
    }
}

/// Renders a page or record that does not exist, with a way back.
#[component]
pub fn NotFoundNotice(
    #[prop(into)] title: String,
    #[prop(into)] message: String,
    #[prop(into)] back_href: String,
    #[prop(into)] back_label: String,
) -> impl IntoView {
    view! {
        <section class="panel not-found" data-test="not-found">
            <h1>{title}</h1>
            <p>{message}</p>
            <p><A href=back_href>{back_label}</A></p>
        </section>
    }
}
