/// Helpers shared by perfsh test targets.
public enum PerfshTestSupport {}
