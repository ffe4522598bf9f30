package anonymize

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestText(t *testing.T) {
	t.Parallel()
	known := Known{Name: "王小明", Phone: "13812345678", Email: "wxm@example.com", Address: "北京市朝阳区幸福路8号"}
	for _, c := range []struct {
		name, in, want string
		p              Placeholder
	}{
		{"known name", "王小明反映食堂饭菜太咸。", "〔姓名〕反映食堂饭菜太咸。", Chinese},
		{"known address before name", "请寄到北京市朝阳区幸福路8号。", "请寄到〔地址〕。", Chinese},
		{"mobile with separators", "电话138-1234-5678或+86 139 8765 4321", "电话〔电话〕或〔电话〕", Chinese},
		{"landline", "办公室电话010-88886666", "办公室电话〔电话〕", Chinese},
		{"email", "write to jane.doe@mail.example.org please", "write to [email] please", English},
		{"id number", "身份证号110105199001011234", "身份证号〔证件号〕", Chinese},
		{"id number ending X", "ID 11010519900101123X.", "ID [ID number].", English},
		{"card number", "卡号 6222 0212 3456 7890 123", "卡号 〔卡号〕", Chinese},
		{"self introduction zh", "您好，我叫李四，住在附近。", "您好，我叫〔姓名〕，住在附近。", Chinese},
		{"self introduction en", "Hello, my name is Jane Smith and I volunteer.", "Hello, my name is [name] and I volunteer.", English},
		{"no personal data", "The canteen opens too late on Sundays.", "The canteen opens too late on Sundays.", English},
		{"empty", "", "", Chinese},
	} {
		got := Text(c.in, known, c.p)
		require.Equal(t, c.want, got, c.name)
	}
}

func TestTextLeavesNoDigitsOfKnownValues(t *testing.T) {
	t.Parallel()
	known := Known{Phone: "13812345678"}
	got := Text("回电13812345678，谢谢", known, Chinese)
	require.False(t, strings.Contains(got, "1381234"), got)
	// A one-character name is too short to replace safely.
	require.Equal(t, "王", Text("王", Known{Name: "王"}, Chinese))
}
