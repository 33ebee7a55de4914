// Private to daemon/store: the SQL behind the operator views (front-page counts, the oldest late
// items, agency scorecards). Reads only; each answers from the store's own tables, so the API
// never pages through whole tables in memory.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "daemon/store/sqlite_db.h"
#include "daemon/store/store.h"

namespace mab::store::sqlite {

result<ledger_counts> select_ledger_counts(connection& db, time_point now);
result<std::vector<overdue_item>> select_oldest_overdue(connection& db, time_point now,
                                                        std::size_t limit);
result<agency_activity> select_agency_activity(connection& db, const std::string& agency);

}  // namespace mab::store::sqlite
