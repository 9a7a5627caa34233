from tests.factories import statement


def test_posted_statement_reads_back(xapi):
    [statement_id] = xapi.store(statement())
    response = xapi.get({"statementId": statement_id})
    assert response.status_code == 200
    assert response.json["id"] == statement_id
    assert response.json["verb"]["id"] == statement()["verb"]["id"]
