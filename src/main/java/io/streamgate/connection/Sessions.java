package io.streamgate.connection;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/** The sessions open on this replica, by connection id. */
@ApplicationScoped
public class Sessions {

    private final ConcurrentHashMap<String, ClientSession> byId = new ConcurrentHashMap<>();

    void add(ClientSession session) {
        byId.put(session.connectionId(), session);
    }

    ClientSession get(String connectionId) {
        return byId.get(connectionId);
    }

    ClientSession remove(String connectionId) {
        return byId.remove(connectionId);
    }

    Collection<ClientSession> all() {
        return byId.values();
    }

    public int count() {
        return byId.size();
    }
}
