//! `AppError`: the one error type that crosses the wire from server functions.
//!
//! Policy: broken rules and bad input are safe to show and arrive already in
//! the caller's language (`Invalid`, `Rule`, `Conflict`). Everything else is a
//! fixed kind the browser words itself. A database or I/O failure is logged
//! on the server with its cause and reaches the user only as `Internal` —
//! never as SQL or a stack trace.

use leptos::prelude::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::codec::JsonEncoding;
use serde::{Deserialize, Serialize};

/// A message about one form field, already translated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Not signed in, or the session expired or was ended.
    #[error("not signed in")]
    Unauthorized,
    /// Signed in, but this account may not do or see this. The reason goes
    /// to the log ([`AppError::forbidden`]), never to the user.
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// Bad input: one message per offending field.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// A domain rule refused the action; the message says which.
    #[error("{0}")]
    Rule(String),
    /// Someone else changed the record first, or it already exists.
    #[error("{0}")]
    Conflict(String),
    #[error("internal error")]
    Internal,
    /// The request never reached the function (network, encoding).
    #[error("{0}")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

impl From<ServerFnErrorErr> for AppError {
    fn from(value: ServerFnErrorErr) -> Self {
        AppError::from_server_fn_error(value)
    }
}

impl AppError {
    /// One field's error.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldError {
            field: field.to_string(),
            message: message.into(),
        }])
    }

    /// The message for `field`, if this error names it (several, one after
    /// the other: two prohibited items are two rules).
    pub fn field_message(&self, field: &str) -> Option<String> {
        match self {
            AppError::Invalid(errors) => {
                let mut messages: Vec<&str> = Vec::new();
                for e in errors.iter().filter(|e| e.field == field) {
                    if !messages.contains(&e.message.as_str()) {
                        messages.push(&e.message);
                    }
                }
                (!messages.is_empty()).then(|| messages.join(" "))
            }
            _ => None,
        }
    }

    /// A refusal, with the reason for the log only: the user sees `Forbidden`.
    pub fn forbidden(reason: impl std::fmt::Display) -> Self {
        #[cfg(feature = "ssr")]
        tracing::info!(%reason, "refused");
        #[cfg(not(feature = "ssr"))]
        let _ = reason;
        AppError::Forbidden
    }

    /// Logs an unexpected failure with its cause; the user sees only `Internal`.
    #[cfg(feature = "ssr")]
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        AppError::Internal
    }

    /// The HTTP status a server function answers with for this error.
    #[cfg(feature = "ssr")]
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Invalid(_) | AppError::Rule(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Internal | AppError::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// A plain HTTP route's refusal (downloads, uploads): a sign-in redirect, a
/// bare 403 or 404, a rule's message with its status; an internal failure was
/// logged where it happened and answers 500 without its cause.
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        use axum::response::Redirect;
        match self {
            AppError::Unauthorized => Redirect::to("/login").into_response(),
            AppError::Rule(ref message) | AppError::Conflict(ref message) => {
                (self.status(), message.clone()).into_response()
            }
            other => other.status().into_response(),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::internal(e)
    }
}
