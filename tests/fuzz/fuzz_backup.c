/* Fuzz target for a backup's records once decrypted (sync/center/backup.h): a restore must refuse what is not a
 * record with a reason, never read past one, and accept only the names a backup holds. */
#include <stdint.h>
#include <string.h>

#include "backup.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct backup_record r;
	struct diag d = {""};
	int rc = backup_record_parse(data, size, &r, &d);
	if (rc) {
		FUZZ_CHECK(rc == ERR_PARSE);
		fuzz_check_diag(&d);
		return 0;
	}
	FUZZ_CHECK(r.kind == 'F' || r.kind == 'D' || r.kind == 'E');
	if (r.kind == 'F') {
		FUZZ_CHECK(backup_name_allowed(r.name, r.name_len));
		FUZZ_CHECK(r.len <= r.size);
	}
	if (r.kind != 'E')
		FUZZ_CHECK(r.data >= data && r.data + r.len == data + size);
	return 0;
}
