//! The default weighted policy and the LRU example.

use numbot_plugin_host::types::{Candidate, Request};

use crate::support::shared_host;

fn candidate(id: u64, available: u64, last_used: Option<i64>, created_at: i64) -> Candidate {
    Candidate {
        id,
        name: format!("file-{id}.csv"),
        total: available + 10,
        available,
        used: 10,
        created_at,
        last_used,
    }
}

#[test]
fn default_policy_is_weighted_by_available_numbers() {
    let host = shared_host();
    let policy = host.policy().unwrap();
    assert_eq!(policy.manifest().id, "numbot-policy");
    let candidates = vec![
        candidate(1, 100, None, 0),
        candidate(2, 300, None, 0),
        candidate(3, 600, None, 0),
    ];
    let mut hits = [0u32; 3];
    let mut slots_seen = std::collections::HashSet::new();
    const DRAWS: u64 = 30_000;
    for seed in 0..DRAWS {
        let request = Request {
            category: "UAE Mobile".into(),
            user: 7,
            seed: seed.wrapping_mul(0x2545_F491_4F6C_DD1D),
            candidates: candidates.clone(),
        };
        let choice = policy.select(&request).unwrap();
        assert!(choice.slot < candidates[choice.candidate as usize].available);
        hits[choice.candidate as usize] += 1;
        slots_seen.insert((choice.candidate, choice.slot));
    }
    // Expected 10 %, 30 %, 60 %; chi-square with 2 degrees of freedom under 13.8 (p = 0.001).
    let expected = [0.1, 0.3, 0.6].map(|p| p * DRAWS as f64);
    let chi2: f64 = hits
        .iter()
        .zip(expected)
        .map(|(&h, e)| (h as f64 - e).powi(2) / e)
        .sum();
    assert!(chi2 < 13.8, "hits {hits:?}, chi2 {chi2}");
    // Slots spread over the whole file, not only its start.
    assert!(
        slots_seen.len() > 900,
        "only {} distinct slots",
        slots_seen.len()
    );
}

#[test]
fn default_policy_is_deterministic_for_a_seed_and_refuses_empty_requests() {
    let host = shared_host();
    let request = Request {
        category: "UK Mobile".into(),
        user: 1,
        seed: 42,
        candidates: vec![candidate(1, 5, None, 0), candidate(2, 7, None, 0)],
    };
    assert_eq!(
        host.select(&request).unwrap(),
        host.select(&request).unwrap()
    );
    let empty = Request {
        candidates: vec![],
        ..request
    };
    let err = host.select(&empty).unwrap_err();
    assert_eq!(
        err.to_string(),
        "plugin `numbot-policy`: no numbers available in `UK Mobile`"
    );
}

#[test]
fn lru_example_picks_the_file_used_longest_ago() {
    let host = crate::support::host(vec![crate::support::examples()]);
    let policy = host.policy().unwrap();
    assert_eq!(policy.manifest().id, "lru-policy");
    let candidates = vec![
        candidate(1, 1000, Some(500), 10),
        candidate(2, 3, Some(100), 20),
        candidate(3, 1000, Some(900), 5),
    ];
    for seed in 0..50 {
        let request = Request {
            category: "c".into(),
            user: 1,
            seed,
            candidates: candidates.clone(),
        };
        let choice = host.select(&request).unwrap();
        assert_eq!(choice.candidate, 1);
        assert!(choice.slot < 3);
    }
    // A never-used file comes first; among never-used, the oldest upload.
    let fresh = vec![
        candidate(1, 5, Some(1), 10),
        candidate(2, 5, None, 30),
        candidate(3, 5, None, 20),
    ];
    let request = Request {
        category: "c".into(),
        user: 1,
        seed: 3,
        candidates: fresh,
    };
    assert_eq!(host.select(&request).unwrap().candidate, 2);
}
