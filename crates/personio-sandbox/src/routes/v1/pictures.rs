//! `GET /v1/company/employees/{id}/profile-picture/{width}`: a PNG, or a JSON 404 when the
//! employee does not exist or the picture is not a readable attribute (personio-api.md §2.2).

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::caller::Caller;
use crate::credentials::{Access, Area};
use crate::error::{ApiError, ApiResult, Family};
use crate::render::picture::identicon_png;
use crate::state::AppState;

/// Width when the URL names none (the attribute's URL has no width).
const DEFAULT_WIDTH: u32 = 200;

pub(crate) async fn default_size(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    picture(caller, app, &id, DEFAULT_WIDTH)
}

pub(crate) async fn sized(
    caller: Caller,
    State(app): State<AppState>,
    Path((id, width)): Path<(String, String)>,
) -> ApiResult<Response> {
    let width = width
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|w| *w >= 1)
        .ok_or_else(|| {
            ApiError::bad_request(Family::V1, "The width must be a positive integer.")
        })?;
    picture(caller, app, &id, width)
}

fn picture(caller: Caller, app: AppState, id: &str, width: u32) -> ApiResult<Response> {
    caller.require(Area::Employees, Access::Read)?;
    let not_found = || ApiError::not_found(Family::V1, 404, "The profile picture was not found.");
    if !caller.readable().allows("profile_picture") {
        return Err(not_found());
    }
    let company = app.company.read();
    let employee = super::path_id(id)
        .and_then(|id| company.employee(id))
        .ok_or_else(not_found)?;
    let png = identicon_png(&employee.id.to_string(), width);
    let mut response = png.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    Ok(response)
}
