//! A workflow as a Mermaid state diagram, for the README and `roundtable workflow graph`.

use std::fmt::Write;

use super::Workflow;

impl Workflow {
    pub fn mermaid(&self) -> String {
        let mut out = String::from("stateDiagram-v2\n");
        let _ = writeln!(out, "    [*] --> {}", self.initial);
        for t in &self.transitions {
            let who: Vec<String> = t.allow.iter().map(|p| p.to_string()).collect();
            for from in &t.from {
                let _ = writeln!(out, "    {from} --> {}: {} ({})", t.to, t.name, who.join(", "));
            }
        }
        for s in self.states.iter().filter(|s| s.terminal) {
            let _ = writeln!(out, "    {} --> [*]", s.name);
        }
        out
    }
}
