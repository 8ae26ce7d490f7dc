/// The Render layer of perfsh (see docs/architecture.md).
public enum RenderLayer {}
