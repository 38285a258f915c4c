package io.cairn.meta.client;

/** No meta replica answered a call in time (all down, no leader, or unreachable). */
public final class MetaUnavailableException extends RuntimeException {
  public MetaUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
