//! Streams every item of a paged listing.

use std::collections::VecDeque;

use futures_core::Stream;

use super::error::Result;
use super::response::Response;

/// Page size when the caller did not set `ReturnLimit`.
pub const DEFAULT_PAGE_SIZE: i32 = 100;

/// Fetches pages `first_page, first_page + 1, ...` of `page_size` items with
/// `fetch` and yields their items, stopping after a short or empty page, or
/// once `X-Total-Count` items have come. An error ends the stream.
pub fn paged<T, F, Fut>(first_page: i32, page_size: i32, fetch: F) -> impl Stream<Item = Result<T>>
where
    F: FnMut(i32, i32) -> Fut,
    Fut: Future<Output = Result<Response<Vec<T>>>>,
{
    struct State<T, F> {
        fetch: F,
        page: i32,
        size: i32,
        seen: u64,
        buffer: VecDeque<T>,
        done: bool,
    }
    let state =
        State { fetch, page: first_page.max(1), size: page_size.max(1), seen: 0, buffer: VecDeque::new(), done: false };
    futures_util::stream::unfold(state, |mut s| async move {
        loop {
            if let Some(item) = s.buffer.pop_front() {
                return Some((Ok(item), s));
            }
            if s.done {
                return None;
            }
            match (s.fetch)(s.page, s.size).await {
                Err(e) => {
                    s.done = true;
                    return Some((Err(e), s));
                }
                Ok(response) => {
                    let total = response.total_count();
                    let items = response.into_inner();
                    s.seen += items.len() as u64;
                    s.page += 1;
                    s.done = items.len() < s.size as usize || total.is_some_and(|t| s.seen >= t);
                    s.buffer.extend(items);
                }
            }
        }
    })
}
