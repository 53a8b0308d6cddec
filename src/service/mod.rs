//! The network service: gRPC and HTTP/JSON on one port.
pub mod pb {
    tonic::include_proto!("broker.v1");
}
