//! Native tests of the history index: (de)serialisation, migrations,
//! reconciliation with IndexedDB, ids and search.
#![cfg(not(target_arch = "wasm32"))]

use kleinbild::generation::ImageFormat;
use kleinbild::generation::file_name;
use kleinbild::storage::HistoryEntry;
use kleinbild::storage::history::{
    HistoryIndex, HistoryQuery, INDEX_BACKUP_KEY, INDEX_KEY, INDEX_PROMPT_CHARS, IndexError,
    ReferenceRecord, ShownEntry, content_id, descendants, is_valid_id, lineage, new_id, reconcile,
};

fn entry(id: &str, created_ms: f64, prompt: &str) -> HistoryEntry {
    HistoryEntry {
        id: id.into(),
        created_ms,
        prompt: prompt.into(),
        model: "black-forest-labs/flux.2-klein-4b".into(),
        seed: 42,
        aspect_ratio: "1:1".into(),
        width: 1024,
        height: 1024,
        cost_usd: None,
        mime: "image/png".into(),
        bytes: 1234,
        generation_id: None,
        favorite: false,
        references: Vec::new(),
    }
}

fn ids<'a>(entries: impl IntoIterator<Item = &'a HistoryEntry>) -> Vec<&'a str> {
    entries.into_iter().map(|e| e.id.as_str()).collect()
}

#[test]
fn keys_are_versioned_and_distinct() {
    assert_eq!(INDEX_KEY, "kleinbild.history.v1");
    assert_ne!(INDEX_BACKUP_KEY, INDEX_KEY);
    assert!(INDEX_BACKUP_KEY.starts_with("kleinbild."));
}

#[test]
fn index_is_written_compactly() {
    let mut e = entry("img-1-00000001", 1_700_000_000_000.0, "a \"fox\"");
    e.bytes = 99;
    let json = HistoryIndex { entries: vec![e] }.to_json();
    assert_eq!(
        json,
        r#"{"version":1,"entries":[{"i":"img-1-00000001","t":1700000000000,"p":"a \"fox\"","m":"black-forest-labs/flux.2-klein-4b","s":42,"a":"1:1","w":1024,"h":1024,"y":"image/png","b":99}]}"#
    );
}

#[test]
fn index_round_trips_every_field() {
    let mut a = entry(
        "img-2-0000000a",
        2_000.5,
        "line one\nline two\t<b>bold?</b> ünïcødé",
    );
    a.cost_usd = Some(0.0145);
    a.generation_id = Some("gen-1".into());
    a.favorite = true;
    a.mime = "image/webp".into();
    a.aspect_ratio = "16:9".into();
    a.width = 1344;
    a.height = 768;
    a.seed = u32::MAX;
    a.references = vec![ReferenceRecord {
        id: content_id(b"reference bytes"),
        mime: "image/jpeg".into(),
        name: "my \"photo\" <1>.jpg".into(),
        from: None,
    }];
    let b = entry("img-1-0000000b", 1_000.0, "");
    let index = HistoryIndex {
        entries: vec![a, b],
    };
    let loaded = HistoryIndex::from_json(&index.to_json()).unwrap();
    assert_eq!(loaded.index, index);
    assert_eq!(loaded.skipped, 0);
    assert_eq!(loaded.migrated_from, None);
    assert_eq!(loaded.notice(), None);
}

#[test]
fn entries_without_references_stay_compact_and_bad_references_are_skipped() {
    let json = HistoryIndex {
        entries: vec![entry("img-1-0000000b", 1_000.0, "a")],
    }
    .to_json();
    assert!(!json.contains("\"r\""), "{json}");
    // An index whose entry lists a broken reference: that entry is skipped and counted.
    let bad = r#"{"version":1,"entries":[
        {"i":"img-1","t":1,"p":"a","m":"m","s":1,"a":"1:1","w":1,"h":1,"y":"image/png","b":1,"r":[{"id":"zz","mime":"image/png","name":"x"}]},
        {"i":"img-2","t":2,"p":"b","m":"m","s":1,"a":"1:1","w":1,"h":1,"y":"image/png","b":1}]}"#;
    let loaded = HistoryIndex::from_json(bad).unwrap();
    assert_eq!(ids(&loaded.index.entries), ["img-2"]);
    assert_eq!(loaded.skipped, 1);
}

#[test]
fn loading_sorts_newest_first() {
    let index = HistoryIndex {
        entries: vec![
            entry("img-a", 1.0, ""),
            entry("img-c", 3.0, ""),
            entry("img-b", 2.0, ""),
            entry("img-d", 2.0, ""),
        ],
    };
    let loaded = HistoryIndex::from_json(&index.to_json()).unwrap();
    assert_eq!(
        ids(&loaded.index.entries),
        ["img-c", "img-d", "img-b", "img-a"]
    );
}

#[test]
fn version_0_array_is_migrated_and_bad_entries_counted() {
    let raw = include_str!("fixtures/history/index_v0.json");
    let loaded = HistoryIndex::from_json(raw).unwrap();
    assert_eq!(loaded.migrated_from, Some(0));
    assert_eq!(loaded.skipped, 2, "invalid id and missing fields");
    let entries = &loaded.index.entries;
    assert_eq!(
        ids(entries),
        ["img-1700000500000-00000002", "img-1700000000000-00000001"]
    );
    // Fields the old build did not write take their defaults.
    let old = &entries[1];
    assert_eq!(old.bytes, 0);
    assert!(!old.favorite);
    assert_eq!(old.generation_id, None);
    assert_eq!(old.cost_usd, Some(0.015));
    assert_eq!((old.width, old.height, old.seed), (1344, 768, 7));
    let newer = &entries[0];
    assert!(newer.favorite);
    assert_eq!(newer.bytes, 2048);
    assert_eq!(newer.generation_id.as_deref(), Some("gen-abc"));
    assert_eq!(newer.cost_usd, None);
    // Written back, it is version 1 and reads the same.
    let again = HistoryIndex::from_json(&loaded.index.to_json()).unwrap();
    assert_eq!(again.migrated_from, None);
    assert_eq!(again.index, loaded.index);
    assert_eq!(
        loaded.notice().as_deref(),
        Some("2 history entries could not be read and are not shown.")
    );
}

#[test]
fn unknown_versions_are_reported_not_guessed() {
    let raw = r#"{"version":2,"entries":[{"i":"img-1","t":1}]}"#;
    assert_eq!(
        HistoryIndex::from_json(raw),
        Err(IndexError::UnknownVersion(2))
    );
    let notice = IndexError::UnknownVersion(2).notice();
    assert!(notice.contains("version 2"), "{notice}");
    assert!(notice.contains(INDEX_BACKUP_KEY), "{notice}");
    assert!(notice.starts_with("The saved"), "{notice}");
}

#[test]
fn unreadable_indexes_are_errors() {
    for raw in [
        "",
        "not json",
        "{\"version\":1,\"entries\":[",
        "42",
        "\"text\"",
        "null",
        "{}",
        r#"{"version":"1","entries":[]}"#,
        r#"{"version":-1,"entries":[]}"#,
        r#"{"version":1.5,"entries":[]}"#,
        r#"{"version":1}"#,
        r#"{"version":1,"entries":{}}"#,
    ] {
        match HistoryIndex::from_json(raw) {
            Err(IndexError::Unreadable(_)) => {}
            other => panic!("{raw:?} gave {other:?}"),
        }
    }
    let notice = IndexError::Unreadable("not valid JSON".into()).notice();
    assert!(notice.contains("not valid JSON") && notice.contains(INDEX_BACKUP_KEY));
}

#[test]
fn single_bad_entries_are_skipped_and_counted() {
    let good = HistoryIndex {
        entries: vec![entry("img-good", 5.0, "ok")],
    }
    .to_json();
    let good_entry = &good[good.find("[{").unwrap() + 1..good.rfind("}]").unwrap() + 1];
    let raw = format!(
        r#"{{"version":1,"entries":[{good_entry},{{}},42,null,[1],
        {{"i":"img-x","t":"yesterday","p":"","m":"","s":1,"a":"1:1","w":1,"h":1,"y":"image/png","b":1}},
        {{"i":"../etc","t":1,"p":"","m":"","s":1,"a":"1:1","w":1,"h":1,"y":"image/png","b":1}},
        {{"i":"img-svg","t":1,"p":"","m":"","s":1,"a":"1:1","w":1,"h":1,"y":"image/svg+xml","b":1}},
        {{"i":"img-big","t":1,"p":"","m":"","s":1,"a":"1:1","w":99999,"h":1,"y":"image/png","b":1}},
        {{"i":"img-neg","t":1,"p":"","m":"","s":-1,"a":"1:1","w":1,"h":1,"y":"image/png","b":1}},
        {{"i":"img-dup","t":1,"p":"","m":"","s":1,"a":"1:1","w":1,"h":1,"y":"image/png","b":1,"b":2}},
        {good_entry}]}}"#
    );
    let loaded = HistoryIndex::from_json(&raw).unwrap();
    assert_eq!(ids(&loaded.index.entries), ["img-good"]);
    assert_eq!(loaded.skipped, 11);
    assert_eq!(
        loaded.notice().as_deref(),
        Some("11 history entries could not be read and are not shown.")
    );
}

#[test]
fn upsert_replaces_by_id_and_keeps_order() {
    let mut index = HistoryIndex::default();
    index.upsert(entry("img-1", 1.0, "one"));
    index.upsert(entry("img-3", 3.0, "three"));
    index.upsert(entry("img-2", 2.0, "two"));
    let mut fav = entry("img-1", 1.0, "one");
    fav.favorite = true;
    index.upsert(fav);
    assert_eq!(ids(&index.entries), ["img-3", "img-2", "img-1"]);
    assert!(index.entries[2].favorite);
    assert!(index.remove("img-2"));
    assert!(!index.remove("img-2"));
    assert_eq!(ids(&index.entries), ["img-3", "img-1"]);
}

#[test]
fn reconcile_unites_by_id_with_indexeddb_winning() {
    let mut in_idb_only = entry("img-4", 4.0, "reindexed");
    in_idb_only.favorite = true;
    let both_idb = entry("img-3", 3.0, "from idb");
    let mut both_index = entry("img-3", 3.0, "stale copy");
    both_index.favorite = true;
    let index_only = entry("img-2", 2.0, "image gone");
    let same = entry("img-1", 1.0, "same");

    let index = [both_index, index_only.clone(), same.clone()];
    let stored = [same.clone(), in_idb_only.clone(), both_idb.clone()];
    let r = reconcile(&index, &stored);
    assert_eq!(r.reindexed, 1);
    assert_eq!(r.missing, 1);
    assert!(r.index_stale);
    assert_eq!(
        r.entries,
        vec![
            ShownEntry {
                entry: in_idb_only,
                image_missing: false
            },
            ShownEntry {
                entry: both_idb,
                image_missing: false
            },
            ShownEntry {
                entry: index_only,
                image_missing: true
            },
            ShownEntry {
                entry: same,
                image_missing: false
            },
        ]
    );
    // IndexedDB wins, favourite included.
    assert!(!r.entries[1].entry.favorite);
    // Writing the result back makes the two agree.
    let rewritten = r.index();
    let again = reconcile(&rewritten.entries, &stored);
    assert!(!again.index_stale);
    assert_eq!(again.reindexed, 0);
    assert_eq!(again.missing, 1, "a lost image stays visible until deleted");
}

#[test]
fn a_long_prompt_cut_in_the_index_does_not_make_it_stale() {
    let long = entry("img-1", 1.0, &"a very long prompt ".repeat(60));
    let stored = [long.clone()];
    let first = reconcile(&[], &stored);
    assert!(first.index_stale, "a missing index must be written");
    let index = first.index();
    let kept = &index.entries[0].prompt;
    assert_eq!(kept.chars().count(), INDEX_PROMPT_CHARS);
    assert!(long.prompt.starts_with(kept.as_str()));
    // The next start finds nothing to rewrite, and IndexedDB's whole prompt is shown.
    let next = reconcile(&index.entries, &stored);
    assert!(!next.index_stale);
    assert_eq!(next.entries[0].entry.prompt, long.prompt);
}

#[test]
fn reconcile_survives_either_store_being_wiped() {
    let all = [
        entry("img-2", 2.0, "b"),
        entry("img-1", 1.0, "a"),
        entry("img-1", 0.5, "duplicate id, ignored"),
    ];
    let index_wiped = reconcile(&[], &all);
    assert_eq!((index_wiped.reindexed, index_wiped.missing), (2, 0));
    assert_eq!(index_wiped.entries.len(), 2);
    assert!(index_wiped.entries.iter().all(|s| !s.image_missing));
    assert_eq!(index_wiped.entries[1].entry.prompt, "a");
    assert!(index_wiped.index_stale);

    let idb_wiped = reconcile(&all[..2], &[]);
    assert_eq!((idb_wiped.reindexed, idb_wiped.missing), (0, 2));
    assert!(idb_wiped.entries.iter().all(|s| s.image_missing));
    assert!(!idb_wiped.index_stale);

    let empty = reconcile(&[], &[]);
    assert!(empty.entries.is_empty() && !empty.index_stale);
}

#[test]
fn reconcile_orders_newest_first_then_by_id() {
    let stored = [
        entry("img-a", 1.0, ""),
        entry("img-b", 9.0, ""),
        entry("img-c", 9.0, ""),
    ];
    let r = reconcile(&[], &stored);
    let order: Vec<&str> = r.entries.iter().map(|s| s.entry.id.as_str()).collect();
    assert_eq!(order, ["img-c", "img-b", "img-a"]);
}

#[test]
fn ids_are_well_formed() {
    let id = new_id(1_732_470_000_123.0, 0xBAD);
    assert_eq!(id, "img-1732470000123-00000bad");
    assert!(is_valid_id(&id));
    assert_eq!(new_id(f64::NAN, u32::MAX), "img-0-ffffffff");
    assert_eq!(new_id(-5.0, 1), "img-0-00000001");
    assert!(is_valid_id(&new_id(f64::INFINITY, 0)));
    assert!(is_valid_id("a_B-9"));
    assert!(is_valid_id(&"x".repeat(64)));
    for bad in [
        "",
        &"x".repeat(65),
        "../x",
        "a/b",
        "a b",
        "a.png",
        "ümlaut",
        "a\0",
        "<script>",
    ] {
        assert!(!is_valid_id(bad), "{bad:?}");
    }
}

#[test]
fn entries_are_checked_field_by_field() {
    let ok = entry("img-1", 1.0, "fine\n\twith breaks");
    assert_eq!(ok.check(), Ok(()));
    type Break = Box<dyn Fn(&mut HistoryEntry)>;
    let cases: Vec<(Break, &str)> = vec![
        (Box::new(|e| e.id = "a/b".into()), "id"),
        (Box::new(|e| e.created_ms = -1.0), "created_ms"),
        (Box::new(|e| e.created_ms = f64::NAN), "created_ms"),
        (Box::new(|e| e.prompt = "x".repeat(10_001)), "prompt"),
        (Box::new(|e| e.prompt = "bell\u{7}".into()), "prompt"),
        (Box::new(|e| e.prompt = "csi\u{9b}".into()), "prompt"),
        (Box::new(|e| e.prompt = "cr\r".into()), "prompt"),
        (Box::new(|e| e.model = "m".repeat(201)), "model"),
        (Box::new(|e| e.aspect_ratio = "wide".into()), "aspect_ratio"),
        (Box::new(|e| e.width = 0), "width"),
        (Box::new(|e| e.height = 16_385), "height"),
        (Box::new(|e| e.cost_usd = Some(-0.01)), "cost_usd"),
        (Box::new(|e| e.cost_usd = Some(f64::INFINITY)), "cost_usd"),
        (Box::new(|e| e.mime = "image/svg+xml".into()), "mime"),
        (Box::new(|e| e.mime = "text/html".into()), "mime"),
        (
            Box::new(|e| e.generation_id = Some("g\0".into())),
            "generation_id",
        ),
    ];
    for (break_it, field) in cases {
        let mut e = ok.clone();
        break_it(&mut e);
        let problem = e.check().expect_err(field);
        assert!(problem.contains(field), "{field}: {problem}");
    }
    let mut longest = ok.clone();
    longest.prompt = "é".repeat(10_000);
    longest.width = 16_384;
    longest.cost_usd = Some(0.0);
    assert_eq!(longest.check(), Ok(()));
}

#[test]
fn download_name_reuses_the_generation_rule() {
    let mut e = entry("img-1", 1.0, "A Red Fox, at Dawn!");
    e.mime = "image/jpeg".into();
    assert_eq!(e.format(), Some(ImageFormat::Jpeg));
    assert_eq!(
        e.download_name(),
        file_name(&e.prompt, e.seed, ImageFormat::Jpeg)
    );
    assert_eq!(e.download_name(), "a-red-fox-at-dawn-42.jpg");
}

fn shown(entries: &[HistoryEntry]) -> Vec<ShownEntry> {
    entries
        .iter()
        .map(|e| ShownEntry {
            entry: e.clone(),
            image_missing: false,
        })
        .collect()
}

fn found(query: &HistoryQuery, entries: &[ShownEntry]) -> Vec<String> {
    query
        .apply(entries)
        .into_iter()
        .map(|s| s.entry.id.clone())
        .collect()
}

#[test]
fn search_matches_all_words_ignoring_ascii_case() {
    let mut fav = entry("img-3", 3.0, "A RED fox in the Snow");
    fav.favorite = true;
    let entries = shown(&[
        fav,
        entry("img-2", 2.0, "red panda, snowy"),
        entry("img-1", 1.0, "Füchse im SCHNEE"),
    ]);
    let q = |text: &str| HistoryQuery {
        text: text.into(),
        ..HistoryQuery::default()
    };
    assert_eq!(found(&q(""), &entries), ["img-3", "img-2", "img-1"]);
    assert_eq!(found(&q("  "), &entries).len(), 3);
    assert_eq!(found(&q("red"), &entries), ["img-3", "img-2"]);
    assert_eq!(found(&q("snow RED"), &entries), ["img-3", "img-2"]);
    assert_eq!(found(&q("fox snow"), &entries), ["img-3"]);
    assert_eq!(found(&q("fox panda"), &entries), Vec::<String>::new());
    assert_eq!(found(&q("schnee füchse"), &entries), ["img-1"]);
    // Only ASCII folds: no Unicode case tables in the wasm.
    assert_eq!(found(&q("FÜCHSE"), &entries), Vec::<String>::new());
    assert_eq!(found(&q("<b>"), &entries), Vec::<String>::new());
}

#[test]
fn search_filters_favourites_and_orders() {
    let mut a = entry("img-1", 1.0, "cat");
    a.favorite = true;
    let mut c = entry("img-3", 3.0, "cat");
    c.favorite = true;
    // Out of order on purpose: apply sorts itself.
    let entries = shown(&[a, c, entry("img-2", 2.0, "cat")]);
    let mut q = HistoryQuery::default();
    assert_eq!(found(&q, &entries), ["img-3", "img-2", "img-1"]);
    q.oldest_first = true;
    assert_eq!(found(&q, &entries), ["img-1", "img-2", "img-3"]);
    q.favorites_only = true;
    assert_eq!(found(&q, &entries), ["img-1", "img-3"]);
    q.text = "dog".into();
    assert!(found(&q, &entries).is_empty());
    let mut dog = entry("img-4", 4.0, "a big DOG");
    assert!(!q.matches(&dog));
    dog.favorite = true;
    assert!(q.matches(&dog));
}

#[test]
fn odd_text_from_the_api_or_the_user_is_made_storable_before_saving() {
    let mut odd = entry(
        &new_id(1_700_000_000_000.0, 7),
        1_700_000_000_000.0,
        &format!("line one\u{c}line\ttwo\u{85}\n{}", "x".repeat(10_500)),
    );
    odd.model = "m".repeat(300);
    odd.cost_usd = Some(-0.5);
    odd.generation_id = Some("gen\u{1}-1".into());
    odd.references.push(ReferenceRecord {
        id: content_id(b"a picture"),
        mime: "image/png".into(),
        name: format!("{}.png\u{7}", "n".repeat(300)),
        from: None,
    });
    assert!(
        odd.check().is_err(),
        "the test entry should start out unstorable"
    );

    let clean = odd.clone().sanitized();
    assert_eq!(clean.check(), Ok(()));
    assert!(
        clean.prompt.starts_with("line oneline\ttwo\n"),
        "{:?}",
        &clean.prompt[..20]
    );
    assert_eq!(clean.prompt.chars().count(), 10_000);
    assert_eq!(clean.model.chars().count(), 200);
    assert_eq!(clean.cost_usd, None);
    assert_eq!(clean.generation_id.as_deref(), Some("gen-1"));
    assert_eq!(clean.references[0].name.chars().count(), 200);
    // Everything else is untouched, and clean entries stay as they are.
    assert_eq!(
        (clean.id.as_str(), clean.seed, clean.width),
        (odd.id.as_str(), 42, 1024)
    );
    assert_eq!(clean.clone().sanitized(), clean);
}

#[test]
fn every_field_survives_the_round_trip_through_all_three_shapes() {
    let mut e = entry(
        "img-2-00000002",
        1_700_000_000_123.0,
        "line\nbreak \u{1F98A} \\ \"q\"",
    );
    e.cost_usd = Some(0.014);
    e.generation_id = Some("gen-1".into());
    e.favorite = true;
    e.references = vec![kleinbild::storage::history::ReferenceRecord {
        id: kleinbild::storage::history::content_id(b"cat"),
        mime: "image/png".into(),
        name: "cat \"1\".png".into(),
        from: None,
    }];
    assert_eq!(e.check(), Ok(()));
    let full = e.to_json();
    let value: serde_json::Value = serde_json::from_str(&full).unwrap();
    assert_eq!(value["cost_usd"], 0.014);
    assert_eq!(HistoryEntry::from_json(&full).unwrap(), e);
    let index = HistoryIndex {
        entries: vec![e.clone()],
    };
    let loaded = HistoryIndex::from_json(&index.to_json()).unwrap();
    assert_eq!(loaded.index.entries, vec![e.clone()]);
    // Without the optional fields the full form says null/false, the compact one leaves them out.
    let mut plain = e.clone();
    plain.cost_usd = None;
    plain.generation_id = None;
    plain.favorite = false;
    plain.references.clear();
    let value: serde_json::Value = serde_json::from_str(&plain.to_json()).unwrap();
    assert!(value["cost_usd"].is_null() && value["generation_id"].is_null());
    assert_eq!(value["favorite"], false);
    assert_eq!(HistoryEntry::from_json(&plain.to_json()).unwrap(), plain);
}

/// `child` made from `parent` (a reference taken with `Use as reference`).
fn made_from(mut child: HistoryEntry, parent: &str) -> HistoryEntry {
    child.references.push(ReferenceRecord {
        id: content_id(parent.as_bytes()),
        mime: "image/png".into(),
        name: format!("{parent}.png"),
        from: Some(parent.into()),
    });
    child
}

#[test]
fn lineage_links_survive_the_record_and_walk_back_to_the_first_image() {
    let ids_of = |n: u32| new_id(1_700_000_000_000.0 + f64::from(n) * 60_000.0, n);
    let (a, b, c, d) = (ids_of(1), ids_of(2), ids_of(3), ids_of(4));
    let first = entry(&a, 1.0, "first");
    let second = made_from(entry(&b, 2.0, "second"), &a);
    let third = made_from(entry(&c, 3.0, "third"), &b);
    let unrelated = entry(&d, 4.0, "unrelated");
    // The link is part of the stored record.
    let back = HistoryEntry::from_json(&third.to_json()).unwrap();
    assert_eq!(back.references[0].from.as_deref(), Some(b.as_str()));
    let shown: Vec<ShownEntry> = [first, second, third, unrelated]
        .into_iter()
        .map(|entry| ShownEntry {
            entry,
            image_missing: false,
        })
        .collect();
    assert_eq!(ids(lineage(&shown, &c)), [b.as_str(), a.as_str()]);
    assert!(lineage(&shown, &a).is_empty());
    let family = descendants(&shown, &a);
    assert!(family.contains(&b) && family.contains(&c));
    assert!(!family.contains(&a) && !family.contains(&d));
    let query = HistoryQuery {
        descendants_of: Some(a.clone()),
        ..HistoryQuery::default()
    };
    assert_eq!(
        ids(query.apply(&shown).into_iter().map(|s| &s.entry)),
        [c.as_str(), b.as_str()]
    );
    // A loop (hand-made or imported) ends the walk instead of spinning.
    let looped: Vec<ShownEntry> = [
        made_from(entry(&a, 1.0, "a"), &b),
        made_from(entry(&b, 2.0, "b"), &a),
    ]
    .into_iter()
    .map(|entry| ShownEntry {
        entry,
        image_missing: false,
    })
    .collect();
    assert_eq!(lineage(&looped, &a).len(), 1);
    assert!(descendants(&looped, &a).contains(&b));
    // An unreadable link is dropped on load; the entry stays.
    let mut odd = made_from(entry(&d, 5.0, "odd"), "not an id");
    odd = HistoryEntry::from_json(&odd.to_json()).unwrap();
    assert_eq!(odd.references[0].from, None);
}
