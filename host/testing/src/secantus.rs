//! SecantusDB, the MongoDB-wire server the tests and the pool bench run on
//! (installed into `.venv` by `scripts/test.sh`; `NUMBOT_SECANTUSD` names
//! another). One launcher for both: the bench includes this file by path.

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

/// A SecantusDB process in memory on a free loopback port. It stops when
/// this value is dropped or its process exits: its keeper shell sees stdin
/// close.
pub struct Secantus {
    port: u16,
    _keeper: std::process::Child,
}

impl Secantus {
    /// Starts one, its output in `log`, and waits (30 s at most) until it
    /// listens.
    pub fn start(log: &Path) -> Secantus {
        let bin = std::env::var_os("NUMBOT_SECANTUSD")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/secantusd-py")
            });
        assert!(
            bin.exists(),
            "{} is missing: MongoDB tests and benches need SecantusDB (`python3 -m venv .venv && .venv/bin/pip install SecantusDB==0.7.0b3`, done by scripts/test.sh) or NUMBOT_SECANTUSD",
            bin.display()
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let script = format!(
            "'{}' --host 127.0.0.1 --port {port} --storage-path :memory: >'{}' 2>&1 & pid=$!; read _; kill $pid",
            bin.display(),
            log.display()
        );
        let keeper = std::process::Command::new("sh")
            .arg("-c")
            .arg(script)
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("start SecantusDB");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "SecantusDB did not listen on {port} within 30 s: see {}",
                log.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Secantus {
            port,
            _keeper: keeper,
        }
    }

    /// The connection string.
    pub fn uri(&self) -> String {
        format!("mongodb://127.0.0.1:{}/?directConnection=true", self.port)
    }
}
