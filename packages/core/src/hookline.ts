// createHookline(): wires store, queue, catalog, subscriptions, router and delivery. (Owned by the delivery work.)
export {};
