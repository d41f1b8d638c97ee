package io.asyncreply.store;

/** The store contract on the in-memory store. */
class MemoryTaskStoreTest extends TaskStoreContract {
    @Override
    protected TaskStore createStore() {
        return new MemoryTaskStore();
    }
}
