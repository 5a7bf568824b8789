package io.streamgate.local;

import java.util.List;

/**
 * What the demo storefront sells, who shops there and what its chat bot says: the data both the demo
 * producer and the snapshot endpoint work from. Tenant {@code demo}.
 */
final class DemoCatalogue {

    static final String TENANT = "demo";

    record Product(String sku, String name, String price, int initialStock) {
    }

    static final List<Product> PRODUCTS = List.of(
            new Product("sku-1", "Aurora running shoes", "89.00", 24),
            new Product("sku-2", "Nimbus rain jacket", "129.00", 16),
            new Product("sku-3", "Pixel wool beanie", "24.00", 40),
            new Product("sku-4", "Summit backpack 28 L", "74.00", 12),
            new Product("sku-5", "Trail bottle 750 ml", "19.00", 60),
            new Product("sku-6", "Glide sunglasses", "59.00", 20));

    /** The shoppers whose orders the producer moves along; {@code /dev/token?sub=} picks one. */
    static final List<String> CUSTOMERS = List.of("alice", "bob");

    static final List<String> ORDER_STEPS = List.of("placed", "paid", "packed", "shipped", "out for delivery", "delivered");

    /** The channel subject of the sale's chat and presence line: {@code chat:flash-sale}. */
    static final String CHAT_ROOM = "flash-sale";

    static final List<String> CHAT_LINES = List.of(
            "Flash sale: 30 % off everything for the next hour!",
            "Aurora running shoes are going fast.",
            "Free shipping on orders over 50.00 today.",
            "Restocks land every few minutes: keep an eye on sold-out items.",
            "Nimbus rain jackets: only a few left in size M.");

    private DemoCatalogue() {
    }

    static Product product(String sku) {
        return PRODUCTS.stream().filter(p -> p.sku().equals(sku)).findFirst().orElse(null);
    }
}
