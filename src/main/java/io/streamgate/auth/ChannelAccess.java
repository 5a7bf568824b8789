package io.streamgate.auth;

import io.streamgate.channel.ChannelName;
import io.streamgate.channel.Namespace;
import io.streamgate.channel.Namespaces;
import io.streamgate.protocol.CommandException;
import io.streamgate.protocol.ErrorCode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Decides whether a grant covers a channel. A subscription is allowed when the namespace is public,
 * when it is the subject's own channel in the user namespace (the token's {@code sub} compared literally
 * with a concrete channel's subject: never a pattern, never the wildcard), or when a {@code subscribe}
 * pattern matches. A publish needs a namespace that allows publishing and a matching {@code publish} pattern.
 */
@ApplicationScoped
public class ChannelAccess {

    @Inject
    Namespaces namespaces;

    public boolean maySubscribe(Grant grant, ChannelName channel, Namespace namespace) {
        if (namespace.isPublic()) {
            return true;
        }
        // Literal: a sub of "*" owns no wildcard, and a sub outside the subject alphabet has no user channel at all.
        if (namespaces.isUserNamespace(namespace.name()) && !channel.isWildcard() && channel.subject().equals(grant.subject())) {
            return true;
        }
        return grant.maySubscribe(channel.toString());
    }

    public void checkSubscribe(Grant grant, ChannelName channel, Namespace namespace) {
        if (!maySubscribe(grant, channel, namespace)) {
            throw new CommandException(ErrorCode.FORBIDDEN, "your token does not allow subscribing to " + channel);
        }
    }

    public void checkPublish(Grant grant, ChannelName channel, Namespace namespace) {
        if (!namespace.publish()) {
            throw new CommandException(ErrorCode.FORBIDDEN, "namespace " + namespace.name() + " does not accept publishing");
        }
        if (channel.isWildcard() || !grant.mayPublish(channel.toString())) {
            throw new CommandException(ErrorCode.FORBIDDEN, "your token does not allow publishing to " + channel);
        }
    }
}
