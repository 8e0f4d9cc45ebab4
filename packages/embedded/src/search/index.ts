/**
 * The search side of the embedded engine: per-index search structures (SearchIndex) and the
 * _search, _count and _delete_by_query handlers the router calls.
 */
export { SearchIndex, createSearchSide } from './search-index.js';
export { handleSearch, handleCount, handleDeleteByQuery } from './handlers.js';
