//! The rules of the pages, checked before sending (filled in by the rules work).
