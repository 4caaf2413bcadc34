//! Sign-in page (`/login`). The form posts to the `login` server function
//! and works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::server_fns::session::Login;

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = move || login.value().get().and_then(Result::err).map(|error| error.to_string());

    view! {
        <Title text="Sign in"/>
        <section class="panel login-panel" aria-labelledby="login-heading">
            <h1 id="login-heading">"Sign in"</h1>
            <ActionForm action=login attr:class="stacked-form" attr:data-test="login-form">
                <input type="hidden" name="next" value=next/>
                <label>
                    "Email"
                    <input type="email" name="email" autocomplete="username" required data-test="login-email"/>
                </label>
                <label>
                    "Password"
                    <input
                        type="password"
                        name="password"
                        autocomplete="current-password"
                        required
                        data-test="login-password"
                    />
                </label>
                <button
                    type="submit"
                    class="button button-primary"
                    data-test="login-submit"
                    aria-busy=move || login.pending().get().to_string()
                >
                    "Sign in"
                </button>
            </ActionForm>
            <p class="form-message error-text" role="alert" data-test="login-error">{error}</p>
        </section>
    }
}
