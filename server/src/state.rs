//! Axum state shared by the Leptos routes and the REST handlers.

use axum::extract::FromRef;
use backend::AppContext;
use leptos::config::LeptosOptions;

#[derive(Clone)]
pub struct AppState {
    pub ctx: AppContext,
    pub leptos_options: LeptosOptions,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
