package io.streamgate.api;

/**
 * A refused API request: the HTTP status and the error's {@code code} (docs/api.md lists them; they are
 * docs/protocol.md's where one applies). Answered as {@link ApiError} by {@link ApiErrors}.
 */
public final class ApiException extends RuntimeException {

    private final int status;
    private final String code;

    public ApiException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
