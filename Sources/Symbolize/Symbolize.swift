/// The Symbolize layer of perfsh (see docs/architecture.md).
public enum SymbolizeLayer {}
