import DSJSON

/// The canonical event of the seed: the namespace templates read from.
public enum CanonicalEvent {
    /// Top-level fields of a canonical event. Anything under `properties`, `traits` and
    /// `context` is open-ended; other top-level names are likely typos.
    public static let topLevelFields = [
        "type", "event", "event_id", "user_id", "anonymous_id", "timestamp", "context", "properties", "traits",
        "name", "category", "group_id", "previous_id", "integrations", "sent_at", "received_at",
    ]

    /// Known `context` fields (lint suggests these for typos under `context`).
    public static let contextFields = [
        "page", "ip", "user_agent", "locale", "library", "campaign", "device", "os", "app", "screen", "timezone",
        "location", "network", "referrer", "consent", "traits", "groupId",
    ]

    /// Known `context.page` fields.
    public static let pageFields = ["url", "title", "path", "referrer", "search"]

    /// A representative sample event used to check that JSON templates render valid JSON
    /// and to compute the minimum encoded size of one event.
    public static let sample: JSONValue = [
        "type": "track",
        "event": "Order Completed",
        "event_id": "evt_sample_0001",
        "user_id": "user-123",
        "anonymous_id": "anon-456",
        "timestamp": "2026-01-01T00:00:00.000Z",
        "context": [
            "page": ["url": "https://example.com/checkout", "title": "Checkout", "path": "/checkout", "referrer": "", "search": ""],
            "ip": "203.0.113.7",
            "user_agent": "Mozilla/5.0",
            "locale": "en-US",
        ],
        "properties": ["total": 42.5, "revenue": 42.5, "currency": "USD", "order_id": "o-1", "products": [["sku": "sku-1", "price": 42.5, "quantity": 1]]],
        "traits": ["email": "user@example.com", "phone": "+1 555 0100", "first_name": "Ada", "last_name": "Lovelace"],
    ]

    /// The smallest event: every optional field missing.
    public static let minimal: JSONValue = ["type": "track"]
}
