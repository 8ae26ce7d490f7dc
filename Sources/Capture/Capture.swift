/// The Capture layer of perfsh (see docs/architecture.md).
public enum CaptureLayer {}
