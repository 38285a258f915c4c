package io.cairn.store.data;

/** List commands. */
final class ListCommands {
    private ListCommands() {
    }

    static void register(CommandTable.Builder t) {
    }
}
