#include "whale/server/request_log.h"

namespace whale::server {

RequestRecord& current_request() {
    static thread_local RequestRecord record;
    return record;
}

}  // namespace whale::server
