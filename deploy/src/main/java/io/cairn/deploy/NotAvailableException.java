package io.cairn.deploy;

/**
 * A subcommand whose role is not part of this build yet. {@link Cairn} prints
 * {@code cairn ROLE: not available in this build: REASON} and exits with
 * {@link Cairn#EXIT_USAGE}.
 */
public final class NotAvailableException extends RuntimeException {
    private final String role;

    public NotAvailableException(String role, String reason) {
        super(reason);
        this.role = role;
    }

    public String role() {
        return role;
    }
}
