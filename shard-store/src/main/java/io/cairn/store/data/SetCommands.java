package io.cairn.store.data;

/** Set commands. */
final class SetCommands {
    private SetCommands() {
    }

    static void register(CommandTable.Builder t) {
    }
}
