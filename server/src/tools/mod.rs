//! Benchmark tooling, kept in the binary but apart from the serving code:
//! the deterministic data generator (`server generate`), the load benchmarks
//! that drive a running server with oha (`server bench http`), and the
//! in-process benchmarks (`server bench search|billing|photos`). The commands
//! that call them are in `crate::commands`.

pub mod bench;
pub mod generate;
pub mod loadbench;
