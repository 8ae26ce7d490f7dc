/// The Analysis layer of perfsh (see docs/architecture.md).
public enum AnalysisLayer {}
