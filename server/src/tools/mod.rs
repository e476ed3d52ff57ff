//! Benchmark tooling, kept in the binary but apart from the serving code:
//! the deterministic data generator (`server generate`), the load benchmarks
//! that drive a running server with oha (`server bench http|load`), and the
//! in-process benchmarks of the database paths (`server bench …`).

pub mod bench;
pub mod generate;
pub mod loadbench;
