//! Share links: the fragment round trip, what it never carries, and hostile
//! fragments (generated with a seeded generator: every run checks the same
//! cases) that must give an error, never a panic or a half-filled form.
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/rng.rs"]
mod rng;

use kleinbild::generation::{
    MAX_PROMPT_CHARS, Resolution, ShareLinkError, SharedSettings, share::MAX_FRAGMENT_CHARS,
};
use rng::Rng;

fn sample() -> SharedSettings {
    SharedSettings {
        prompt: "a fox & a hare — \"50%\" #1 + 2 = 3\nsecond line 🦊".into(),
        model: "black-forest-labs/flux.2-klein-4b".into(),
        seed: Some(4_294_967_295),
        aspect_ratio: "16:9".into(),
        resolution: Resolution::Four,
        batch_size: 3,
        references_left_out: 2,
    }
}

#[test]
fn settings_survive_the_round_trip() {
    let shared = sample();
    let fragment = shared.to_fragment();
    assert!(fragment.starts_with("#kb=1&"), "{fragment}");
    assert_eq!(SharedSettings::from_fragment(&fragment), Ok(shared.clone()));
    // Without the `#`, and with an empty seed (random).
    let random = SharedSettings {
        seed: None,
        references_left_out: 0,
        ..shared
    };
    let fragment = random.to_fragment();
    assert_eq!(SharedSettings::from_fragment(&fragment[1..]), Ok(random));
}

#[test]
fn the_fragment_is_one_opaque_token_a_url_keeps_intact() {
    let fragment = sample().to_fragment();
    // Only unreserved characters, `%XX`, and the `&`/`=` between fields: nothing a
    // browser, a chat app or a mail client would cut the link at.
    assert!(
        fragment[1..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~%&=".contains(&b)),
        "{fragment}"
    );
    assert_eq!(fragment.matches('#').count(), 1, "{fragment}");
}

#[test]
fn other_fragments_are_not_share_links() {
    for fragment in ["", "#", "#top", "#history", "#prompt=a%20fox"] {
        assert_eq!(
            SharedSettings::from_fragment(fragment),
            Err(ShareLinkError::NotShared),
            "{fragment:?}"
        );
        assert_eq!(ShareLinkError::NotShared.notice(), None);
    }
}

#[test]
fn a_broken_part_makes_the_whole_link_unreadable_with_a_notice() {
    let good = sample().to_fragment();
    let cases = [
        (good.replace("kb=1", "kb=2"), "version"),
        (
            good.replace(
                "model=black-forest-labs%2Fflux.2-klein-4b",
                "model=..%2Fetc",
            ),
            "model",
        ),
        (good.replace("seed=4294967295", "seed=4294967296"), "seed"),
        (good.replace("ratio=16%3A9", "ratio=17%3A9"), "aspect ratio"),
        (good.replace("mp=4", "mp=3"), "mp"),
        (good.replace("images=3", "images=9"), "images"),
        (good.replace("images=3", "images=0"), "images"),
        (good.replace("prompt=a", "prompt=%E2%28a"), "encoding"),
        (good.replace("prompt=a", "prompt=%G1a"), "encoding"),
        (good.replace("prompt=a", "prompt=%4"), "encoding"),
        (good.replace("&model=", "&other="), "model"),
    ];
    for (fragment, part) in cases {
        let error = SharedSettings::from_fragment(&fragment).expect_err(&fragment);
        let notice = error.notice().unwrap_or_default();
        assert!(
            notice.contains("could not be used") && notice.contains("the form is unchanged"),
            "{fragment}: {notice}"
        );
        assert!(
            notice.contains(part) || part == "version",
            "{part}: {notice}"
        );
    }
    let long_prompt = SharedSettings {
        prompt: "x".repeat(MAX_PROMPT_CHARS + 1),
        ..sample()
    };
    assert_eq!(
        SharedSettings::from_fragment(&long_prompt.to_fragment()),
        Err(ShareLinkError::Unreadable("prompt"))
    );
    let oversized = format!("#kb=1&pad={}", "a".repeat(MAX_FRAGMENT_CHARS));
    assert_eq!(
        SharedSettings::from_fragment(&oversized),
        Err(ShareLinkError::TooLong)
    );
    // The longest prompt of the widest characters still fits the limit.
    let widest = SharedSettings {
        prompt: "🦊".repeat(MAX_PROMPT_CHARS),
        ..sample()
    };
    assert!(SharedSettings::from_fragment(&widest.to_fragment()).is_ok());
}

#[test]
fn unknown_fields_are_ignored_so_newer_links_still_open() {
    let fragment = format!("{}&lang=de&theme=dark", sample().to_fragment());
    assert_eq!(SharedSettings::from_fragment(&fragment), Ok(sample()));
}

#[test]
fn generated_hostile_fragments_never_panic_and_valid_ones_round_trip() {
    let mut rng = Rng(0x5eed_cafe);
    let alphabet: &[&str] = &[
        "kb=1", "&", "=", "%", "%2", "%FF", "%C3%A9", "%00", "+", "prompt", "model", "seed",
        "ratio", "mp", "images", "refs", "a", "/", "1", "16%3A9", "#", "🦊", "é", "\u{0}",
    ];
    for case in 0..20_000 {
        let mut fragment = String::from("#");
        for _ in 0..rng.below(40) {
            let piece: &&str = rng.pick(alphabet);
            fragment.push_str(piece);
        }
        // Must return, with either settings that are themselves valid or an error.
        if let Ok(settings) = SharedSettings::from_fragment(&fragment) {
            let again = SharedSettings::from_fragment(&settings.to_fragment());
            assert_eq!(again.as_ref(), Ok(&settings), "case {case}: {fragment:?}");
        }
    }
    for case in 0..2_000 {
        let prompt: String = (0..rng.below(60))
            .map(|_| char::from_u32(rng.below(0x2_0000) as u32).unwrap_or('?'))
            .collect();
        let shared = SharedSettings {
            prompt,
            seed: (rng.below(2) == 0).then(|| rng.next() as u32),
            batch_size: 1 + rng.below(8) as u32,
            references_left_out: rng.below(5) as usize,
            ..sample()
        };
        assert_eq!(
            SharedSettings::from_fragment(&shared.to_fragment()),
            Ok(shared.clone()),
            "case {case}"
        );
    }
}
