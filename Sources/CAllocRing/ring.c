// The ring layout is header-only (include/CAllocRing.h); this file gives the target a source.
