//! Prints the part-of-speech tags broker's tagger gives each line of standard input
//! (`word/TAG ...`): what the sense rules see when they ask whether a noun term is used as a
//! verb. `cargo run --release --example tag <<< "They lead their teams."`
use std::io::BufRead;

fn main() {
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let tagged: Vec<String> = broker::matcher::pos::tag_text(&line)
            .into_iter()
            .map(|(w, t)| format!("{w}/{t}"))
            .collect();
        println!("{}", tagged.join(" "));
    }
}
