package io.cairn.raft.core.confchange;

/**
 * A configuration change that cannot be applied to the active configuration (for example
 * "config is already joint" or "removed all voters"). The configuration is left unchanged.
 */
public class ConfChangeException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public ConfChangeException(String message) {
        super(message);
    }
}
