//! Price-list errors a user notices (issue 10, item 23; Russian texts, item 24): one
//! classification of "cannot open", messages that speak of the price list (not of "the
//! response of carreta.pricelist.parse"), a Russian text for every bad row, and a page's
//! summary that counts only the page's rows.

use logibridge::pricelist::{self, OnError, Options, Reader};
use logibridge::{Error, ErrorKind};
use serde_json::json;

fn cp1251(text: &str) -> Vec<u8> {
    encoding_rs::WINDOWS_1251.encode(text).0.into_owned()
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("lb-plerr-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_missing_file_and_a_directory_are_both_invalid_arguments() {
    let dir = temp_dir("open");
    let missing = dir.join("nope.csv");
    for path in [&missing, &dir] {
        let e = pricelist::open(path).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{path:?}: {e}");
        assert!(e.to_string().contains(&path.display().to_string()), "{e}");
        let e = pricelist::open_file(path).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{path:?}: {e}");
    }
    let e = pricelist::open(&dir).unwrap_err();
    assert!(e.message_ru().contains("это каталог, а не файл"), "{}", e.message_ru());
    let e = pricelist::open(&missing).unwrap_err();
    assert!(e.message_ru().contains("файл не найден"), "{}", e.message_ru());
    std::fs::remove_dir_all(&dir).ok();
}

const LIST: &str = "Артикул;Цена;Наименование\r\nA1;1;ок\r\n;2;без артикула\r\nA3;дорого;x\r\nA4;4;y\r\n";

#[test]
fn a_stopped_read_speaks_of_the_price_list_in_both_languages() {
    let bytes = cp1251(LIST);
    let mut reader = Reader::from_reader(&bytes[..], Options::new()).unwrap();
    reader.next().unwrap().unwrap();
    let e = reader.next().unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert_eq!(e.to_string(), "cannot read the price list, line 3, column Артикул: code is empty (near: ;2;без артикула)");
    assert_eq!(e.message_ru(), "Не удалось прочитать прайс-лист: строка 3, колонка «Артикул»: артикул не указан");
    match &e {
        Error::Decode { endpoint, path, .. } => assert_eq!((endpoint.as_str(), path.as_str()), ("carreta.pricelist.parse", "line 3, column Артикул")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_rows_carry_a_russian_reason() {
    let bytes = cp1251(LIST);
    let mut reader = Reader::from_reader(&bytes[..], Options::new().on_error(OnError::Collect)).unwrap();
    assert_eq!(reader.by_ref().count(), 2);
    let bad = reader.bad_rows();
    assert_eq!((bad[0].reason.as_str(), bad[0].reason_ru.as_str()), ("code is empty", "артикул не указан"));
    assert_eq!(bad[1].reason, "price \"дорого\" is not a number (unexpected 'д')");
    assert_eq!(bad[1].reason_ru, "цена \"дорого\" — не число (лишний символ 'д')");
    let json = serde_json::to_value(&bad[1]).unwrap();
    assert_eq!(json["reason_ru"], "цена \"дорого\" — не число (лишний символ 'д')");
}

#[test]
fn header_errors_have_a_russian_text_and_the_face_s_hint() {
    let e = Reader::from_reader("Артикул;Стоимость\n".as_bytes(), Options::new()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.to_string().starts_with("cannot read the price list, header: no price column"), "{e}");
    assert!(e.to_string().contains("Options::column"), "the Rust API's own hint: {e}");
    assert!(e.message_ru().starts_with("Не удалось прочитать прайс-лист: заголовок: нет колонки price: искали"), "{}", e.message_ru());
    let options = Options::new().column_hint("pass {field}=…", "передайте {field}=…");
    let e = Reader::from_reader("Артикул;Стоимость\n".as_bytes(), options).unwrap_err();
    assert!(!e.to_string().contains("Options::column") && e.to_string().contains("; pass price=…"), "{e}");
    assert!(e.message_ru().contains("; передайте price=…"), "{}", e.message_ru());
    let e = Reader::from_reader(&b""[..], Options::new()).unwrap_err();
    assert_eq!(e.message_ru(), "Не удалось прочитать прайс-лист: заголовок: прайс-лист пуст: нет строки заголовка");
}

/// `carreta.pricelist.parse` reads one row past the page to tell whether there is more:
/// that row is not counted in the page's summary.
#[tokio::test]
async fn a_page_s_summary_counts_the_page_s_rows() {
    let dir = temp_dir("page");
    let path = dir.join("list.csv");
    std::fs::write(&path, cp1251(LIST)).unwrap();
    let any = logibridge::Client::from(logibridge::carreta::Client::builder("k").build().unwrap());
    let path = path.to_str().unwrap();
    let page = any.call("carreta.pricelist.parse", json!({"path": path, "limit": 1})).await.unwrap();
    assert_eq!(page["rows"].as_array().unwrap().len(), 1);
    assert_eq!(page["summary"]["rows_ok"], 1, "{page}");
    assert_eq!(page["summary"]["rows_bad"], 0, "{page}");
    assert_eq!(page["next_offset"], 1);
    let page = any.call("carreta.pricelist.parse", json!({"path": path, "offset": 1, "limit": 1})).await.unwrap();
    assert_eq!(page["summary"]["rows_ok"], 2, "{page}");
    assert_eq!(page["summary"]["rows_bad"], 2, "{page}");
    assert_eq!(page["bad_rows"][1]["reason_ru"], "цена \"дорого\" — не число (лишний символ 'д')");
    assert!(page["next_offset"].is_null(), "{page}");
    // The row takes no column names: its message says so, in every face.
    let noprice = dir.join("noprice.csv");
    std::fs::write(&noprice, cp1251("Артикул;Стоимость\r\nA1;5\r\n")).unwrap();
    let e = any.call("carreta.pricelist.parse", json!({"path": noprice.to_str().unwrap()})).await.unwrap_err();
    assert!(e.to_string().contains("carreta.pricelist.parse takes no column names") && !e.to_string().contains("Options::column"), "{e}");
    assert!(e.message_ru().contains("не принимает названий колонок"), "{}", e.message_ru());
    std::fs::remove_dir_all(&dir).ok();
}
