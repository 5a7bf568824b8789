package io.streamgate.api;

import jakarta.validation.constraints.NotBlank;

/** The body of every refused API request: {@code {"code":"bad_request","message":"..."}}. */
public record ApiError(@NotBlank String code, @NotBlank String message) {
}
