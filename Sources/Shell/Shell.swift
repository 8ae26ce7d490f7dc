/// The Shell layer of perfsh (see docs/architecture.md).
public enum ShellLayer {}
