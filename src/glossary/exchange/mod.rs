//! Glossary exchange formats: TBX-Basic and CSV, both ways (SPEC §2 "Import/export").
