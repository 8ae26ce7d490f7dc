/// The Formats layer of perfsh (see docs/architecture.md).
public enum FormatsLayer {}
