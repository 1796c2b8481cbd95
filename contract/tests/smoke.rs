use contract::Contract;
use serde_json::json;

#[test]
fn loads_and_validates_something() {
    let t = std::time::Instant::now();
    let c = Contract::load();
    eprintln!("load: {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let r = c.validate(
        "ChatRequest",
        &json!({"model": "x", "messages": [{"role": "user", "content": "hi"}]}),
    );
    eprintln!("compile+validate: {:?} {r:?}", t.elapsed());
    assert!(r.is_ok());
    let r = c.validate(
        "ChatRequest",
        &json!({"model": "x", "modalities": ["video"]}),
    );
    eprintln!("{}", r.clone().unwrap_err());
    assert!(r.is_err());
}
