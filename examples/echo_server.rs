//! A bare tonic server for the Translate ratio of `bench/load.sh` (issue 33): the same proto
//! and transport as `broker serve`, but `Translate` only echoes the request's text back as one
//! rendering (no matching, no access log, no limits). What a 1 KB Translate costs in tonic,
//! h2 and the kernel alone; every other method answers `UNIMPLEMENTED`.
//!
//! ```text
//! cargo build --release --example echo_server
//! target/release/examples/echo_server 127.0.0.1:50099
//! ```

use std::net::SocketAddr;

use broker::service::pb;
use pb::broker_server::{Broker, BrokerServer};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};

/// The allocator the `broker` binary uses, so that only the work differs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Echo;

fn unimplemented<T>() -> Result<Response<T>, Status> {
    Err(Status::unimplemented("echo server: only Translate"))
}

#[tonic::async_trait]
impl Broker for Echo {
    async fn translate(
        &self,
        req: Request<pb::TranslateRequest>,
    ) -> Result<Response<pb::TranslateResponse>, Status> {
        let req = req.into_inner();
        Ok(Response::new(pb::TranslateResponse {
            renderings: vec![pb::Rendering {
                audience: req.audience,
                text: req.text,
            }],
            request_id: req.request_id,
            ..pb::TranslateResponse::default()
        }))
    }

    type TranslateStreamStream = ReceiverStream<Result<pb::TranslateResponse, Status>>;

    async fn translate_stream(
        &self,
        _: Request<Streaming<pb::TranslateRequest>>,
    ) -> Result<Response<Self::TranslateStreamStream>, Status> {
        unimplemented()
    }

    async fn lookup(
        &self,
        _: Request<pb::LookupRequest>,
    ) -> Result<Response<pb::LookupResponse>, Status> {
        unimplemented()
    }

    async fn suggest(
        &self,
        _: Request<pb::SuggestRequest>,
    ) -> Result<Response<pb::SuggestResponse>, Status> {
        unimplemented()
    }

    async fn list_concepts(
        &self,
        _: Request<pb::ListConceptsRequest>,
    ) -> Result<Response<pb::ListConceptsResponse>, Status> {
        unimplemented()
    }

    async fn get_concept(
        &self,
        _: Request<pb::GetConceptRequest>,
    ) -> Result<Response<pb::Concept>, Status> {
        unimplemented()
    }

    async fn upsert_concept(
        &self,
        _: Request<pb::UpsertConceptRequest>,
    ) -> Result<Response<pb::Concept>, Status> {
        unimplemented()
    }

    async fn delete_concept(
        &self,
        _: Request<pb::DeleteConceptRequest>,
    ) -> Result<Response<pb::DeleteConceptResponse>, Status> {
        unimplemented()
    }

    async fn get_glossary_info(
        &self,
        _: Request<pb::GetGlossaryInfoRequest>,
    ) -> Result<Response<pb::GlossaryInfo>, Status> {
        unimplemented()
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:50099".into())
        .parse()?;
    tonic::transport::Server::builder()
        .add_service(BrokerServer::new(Echo))
        .serve_with_shutdown(addr, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
