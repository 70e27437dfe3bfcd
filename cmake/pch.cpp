// Compiles the precompiled header once; every exercise and solution object reuses it.
