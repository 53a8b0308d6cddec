//! The `broker.v1.Broker` gRPC handlers.
//!
//! [`BrokerService`] implements the generated trait: each handler authorises, converts the
//! request with [`super::convert`], calls the shared `Context`, converts the answer back,
//! and writes one access-log line. Errors are [`ServiceError`]s until the last moment, when
//! they become a `tonic::Status` through the one mapping in [`super::error`].

use std::future::pending;
use std::pin::pin;
use std::time::Instant;

use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};

use super::access_log::AccessLog;
use super::auth::Access;
use super::context::Context;
use super::convert;
use super::deadline::{Arrival, Deadline};
use super::error::ServiceError;
use super::paging::PageRequest;
use super::pb;

/// How many answers of a stream may wait for the client to read them. Small, so that a slow
/// reader slows the stream down instead of growing the server's memory.
const STREAM_BUFFER: usize = 4;

/// The gRPC face of the service.
#[derive(Debug, Clone)]
pub struct BrokerService {
    ctx: Context,
}

impl BrokerService {
    pub(crate) fn new(ctx: Context) -> BrokerService {
        BrokerService { ctx }
    }

    fn authorize<T>(&self, access: Access, req: &Request<T>) -> Result<(), ServiceError> {
        let header = req
            .metadata()
            .get("authorization")
            .map(|v| v.as_encoded_bytes());
        self.ctx.authorize(access, header)
    }

    /// Checks an admin request; who sent it (`None`: the unnamed `--admin-token`).
    fn admin<T>(&self, req: &Request<T>) -> Result<Option<String>, ServiceError> {
        let header = req
            .metadata()
            .get("authorization")
            .map(|v| v.as_encoded_bytes());
        self.ctx.admin(header)
    }

    fn deadline<T>(&self, req: &Request<T>) -> Deadline {
        Deadline::for_request(
            req.extensions().get::<Arrival>().copied(),
            req.metadata().as_ref(),
            self.ctx.config.request_timeout,
        )
    }

    async fn translate_one(
        &self,
        req: Request<pb::TranslateRequest>,
        log: &mut AccessLog,
    ) -> Result<pb::TranslateResponse, ServiceError> {
        self.authorize(Access::Read, &req)?;
        let deadline = self.deadline(&req);
        let req = req.into_inner();
        log.text_bytes = req.text.len();
        let resp = self
            .ctx
            .translate(convert::translate_request(req)?, deadline)
            .await?;
        log.annotations = Some(resp.annotations.len());
        Ok(convert::translate_response(resp))
    }

    async fn lookup_one(
        &self,
        req: Request<pb::LookupRequest>,
        log: &mut AccessLog,
    ) -> Result<pb::LookupResponse, ServiceError> {
        self.authorize(Access::Read, &req)?;
        let deadline = self.deadline(&req);
        let req = req.into_inner();
        log.text_bytes = req.term.len();
        let audience = convert::side_from_proto(req.audience, "audience")?;
        let (snapshot, hits) = self
            .ctx
            .lookup(req.term, audience, req.limit as usize, deadline)
            .await?;
        let glossary = snapshot.matcher.glossary();
        let hits = hits
            .iter()
            .filter_map(|h| convert::hit(h, glossary.get(&h.concept_id)))
            .collect::<Vec<_>>();
        log.results = Some(hits.len());
        Ok(pb::LookupResponse { hits })
    }

    async fn suggest_one(
        &self,
        req: Request<pb::SuggestRequest>,
        log: &mut AccessLog,
    ) -> Result<pb::SuggestResponse, ServiceError> {
        self.authorize(Access::Read, &req)?;
        let deadline = self.deadline(&req);
        let req = req.into_inner();
        log.text_bytes = req.prefix.len();
        let side = convert::side_from_proto(req.side, "side")?;
        let suggestions = self
            .ctx
            .suggest(req.prefix, side, req.limit as usize, deadline)
            .await?;
        log.results = Some(suggestions.len());
        Ok(pb::SuggestResponse {
            suggestions: suggestions.iter().map(convert::suggestion).collect(),
        })
    }

    fn list_concepts_one(
        &self,
        req: Request<pb::ListConceptsRequest>,
        log: &mut AccessLog,
    ) -> Result<pb::ListConceptsResponse, ServiceError> {
        self.authorize(Access::Read, &req)?;
        let req = req.into_inner();
        log.text_bytes = req.query.len();
        let snapshot = self.ctx.app.current();
        let page = self.ctx.list_concepts(
            &snapshot,
            &PageRequest {
                page_size: req.page_size as usize,
                page_token: &req.page_token,
                tag: &req.tag,
                query: &req.query,
            },
        )?;
        log.results = Some(page.concepts.len());
        Ok(pb::ListConceptsResponse {
            concepts: page.concepts.into_iter().map(convert::concept).collect(),
            next_page_token: page.next_page_token,
        })
    }

    fn get_concept_one(
        &self,
        req: Request<pb::GetConceptRequest>,
    ) -> Result<pb::Concept, ServiceError> {
        self.authorize(Access::Read, &req)?;
        let snapshot = self.ctx.app.current();
        self.ctx
            .concept(&snapshot, &req.get_ref().id)
            .map(convert::concept)
    }

    async fn upsert_concept_one(
        &self,
        req: Request<pb::UpsertConceptRequest>,
    ) -> Result<pb::Concept, ServiceError> {
        let editor = self.admin(&req)?;
        let req = req.into_inner();
        let Some(concept) = req.concept else {
            return Err(ServiceError::invalid("concept", "is required"));
        };
        let stored = self
            .ctx
            .upsert(
                convert::concept_from_proto(concept),
                req.expected_etag,
                editor,
            )
            .await?;
        Ok(convert::concept(&stored))
    }

    async fn delete_concept_one(
        &self,
        req: Request<pb::DeleteConceptRequest>,
    ) -> Result<pb::DeleteConceptResponse, ServiceError> {
        let editor = self.admin(&req)?;
        let req = req.into_inner();
        self.ctx.delete(req.id, req.expected_etag, editor).await?;
        Ok(pb::DeleteConceptResponse {})
    }

    fn glossary_info_one(
        &self,
        req: Request<pb::GetGlossaryInfoRequest>,
    ) -> Result<pb::GlossaryInfo, ServiceError> {
        self.authorize(Access::Read, &req)?;
        let info = self.ctx.info();
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Ok(pb::GlossaryInfo {
            version: info.version,
            concepts: count(info.concepts),
            it_terms: count(info.it_terms),
            marketing_terms: count(info.marketing_terms),
            false_friends: count(info.false_friends),
            loaded_at: Some(convert::timestamp(info.loaded_at)),
            source: info.source,
        })
    }
}

/// Logs the outcome and converts it for tonic.
fn reply<T>(log: AccessLog, outcome: Result<T, ServiceError>) -> Result<Response<T>, Status> {
    log.finish(&outcome);
    outcome.map(Response::new).map_err(Status::from)
}

#[tonic::async_trait]
impl pb::broker_server::Broker for BrokerService {
    async fn translate(
        &self,
        req: Request<pb::TranslateRequest>,
    ) -> Result<Response<pb::TranslateResponse>, Status> {
        let mut log = AccessLog::start("Translate");
        let outcome = self.translate_one(req, &mut log).await;
        reply(log, outcome)
    }

    type TranslateStreamStream = ReceiverStream<Result<pb::TranslateResponse, Status>>;

    async fn translate_stream(
        &self,
        req: Request<Streaming<pb::TranslateRequest>>,
    ) -> Result<Response<Self::TranslateStreamStream>, Status> {
        let log = AccessLog::start("TranslateStream");
        if let Err(e) = self.authorize(Access::Read, &req) {
            return reply(log, Err(e));
        }
        // The client's grpc-timeout bounds the whole call; the server's timeout bounds each
        // message, so that a chat bot may keep one stream open for hours.
        let arrival = req
            .extensions()
            .get::<Arrival>()
            .map_or_else(Instant::now, |a| a.0);
        let call_deadline = super::deadline::grpc_timeout(req.metadata().as_ref())
            .map(|t| Deadline::after(arrival, t));
        let inbound = req.into_inner();
        let (tx, rx) = mpsc::channel(STREAM_BUFFER);
        tokio::spawn(run_stream(
            self.ctx.clone(),
            inbound,
            tx,
            call_deadline,
            log,
        ));
        Ok(Response::new(ReceiverStream::new(rx)))
    }

    async fn lookup(
        &self,
        req: Request<pb::LookupRequest>,
    ) -> Result<Response<pb::LookupResponse>, Status> {
        let mut log = AccessLog::start("Lookup");
        let outcome = self.lookup_one(req, &mut log).await;
        reply(log, outcome)
    }

    async fn suggest(
        &self,
        req: Request<pb::SuggestRequest>,
    ) -> Result<Response<pb::SuggestResponse>, Status> {
        let mut log = AccessLog::start("Suggest");
        let outcome = self.suggest_one(req, &mut log).await;
        reply(log, outcome)
    }

    async fn list_concepts(
        &self,
        req: Request<pb::ListConceptsRequest>,
    ) -> Result<Response<pb::ListConceptsResponse>, Status> {
        let mut log = AccessLog::start("ListConcepts");
        let outcome = self.list_concepts_one(req, &mut log);
        reply(log, outcome)
    }

    async fn get_concept(
        &self,
        req: Request<pb::GetConceptRequest>,
    ) -> Result<Response<pb::Concept>, Status> {
        let log = AccessLog::start("GetConcept");
        let outcome = self.get_concept_one(req);
        reply(log, outcome)
    }

    async fn upsert_concept(
        &self,
        req: Request<pb::UpsertConceptRequest>,
    ) -> Result<Response<pb::Concept>, Status> {
        let log = AccessLog::start("UpsertConcept");
        let outcome = self.upsert_concept_one(req).await;
        reply(log, outcome)
    }

    async fn delete_concept(
        &self,
        req: Request<pb::DeleteConceptRequest>,
    ) -> Result<Response<pb::DeleteConceptResponse>, Status> {
        let log = AccessLog::start("DeleteConcept");
        let outcome = self.delete_concept_one(req).await;
        reply(log, outcome)
    }

    async fn get_glossary_info(
        &self,
        req: Request<pb::GetGlossaryInfoRequest>,
    ) -> Result<Response<pb::GlossaryInfo>, Status> {
        let log = AccessLog::start("GetGlossaryInfo");
        let outcome = self.glossary_info_one(req);
        reply(log, outcome)
    }
}

/// Serves one `TranslateStream` call: reads a message, answers it, reads the next. One
/// message in flight at a time keeps the answers in order and the memory flat; a bounded
/// channel makes a slow reader slow the stream down. The first invalid message ends the
/// stream with its error status.
async fn run_stream(
    ctx: Context,
    mut inbound: Streaming<pb::TranslateRequest>,
    tx: mpsc::Sender<Result<pb::TranslateResponse, Status>>,
    call_deadline: Option<Deadline>,
    stream_log: AccessLog,
) {
    let mut messages = 0usize;
    let mut expired = pin!(async move {
        match call_deadline {
            Some(d) => {
                tokio::time::sleep_until(d.instant().into()).await;
                d
            }
            None => pending().await,
        }
    });
    let outcome: Result<(), ServiceError> = loop {
        let next = tokio::select! {
            next = inbound.message() => next,
            d = &mut expired => break Err(d.exceeded()),
            () = tx.closed() => break Ok(()),
        };
        let msg = match next {
            Ok(Some(msg)) => msg,
            Ok(None) => break Ok(()),
            Err(status) => {
                // A message that does not decode (or is over the size limit), or the client
                // went away: end the stream with that status.
                let _ = tx.send(Err(status)).await;
                break Ok(());
            }
        };
        messages += 1;
        let mut log = AccessLog::start("TranslateStream.message");
        log.text_bytes = msg.text.len();
        let mut deadline = Deadline::after(Instant::now(), ctx.config.request_timeout);
        if let Some(call) = call_deadline {
            deadline = deadline.min(call);
        }
        let result = match convert::translate_request(msg) {
            Ok(req) => ctx.translate(req, deadline).await,
            Err(e) => Err(e),
        };
        if let Ok(r) = &result {
            log.annotations = Some(r.annotations.len());
        }
        log.finish(&result);
        match result {
            Ok(r) => {
                if tx.send(Ok(convert::translate_response(r))).await.is_err() {
                    break Ok(());
                }
            }
            Err(e) => break Err(e),
        }
    };
    let mut stream_log = stream_log;
    stream_log.results = Some(messages);
    stream_log.finish(&outcome);
    if let Err(e) = outcome {
        let _ = tx.send(Err(e.into())).await;
    }
}
